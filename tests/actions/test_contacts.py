"""An answer's next step carries the lead unit's contact from the service directory — the real action, domain,
knowledge base and records database; without a directory nothing is added, with one a missing contact is said."""

from __future__ import annotations

import re
from typing import Any

import pytest

from actions.answer import ActionAnswer
from actions.resources import records_engine
from actions.service import ActionServiceInfo
from bot.store import directory
from tests.actions.test_handoff import Talk, contract, text_of

PLANS = {"guizhou", "yunnan", "baode", "xizang", "guangxi"}


pytestmark = pytest.mark.usefixtures("own_records")  # a records database of its own per test


async def test_the_lead_units_contact_follows_the_next_step(domain: dict[str, Any]) -> None:
    plain = await Talk(domain, "web-contacts-0").turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    assert "联系方式" not in text_of(plain) and "未登记" not in text_of(plain)  # no directory kept: nothing added
    entry = {"phone": "0851-86000000", "hours": "工作日 9:00-17:00", "website": "https://swt.example.gov.cn/"}
    directory.save(records_engine(), directory.checked("guizhou", "省商务厅", entry, PLANS), "wang")
    reply = await Talk(domain, "web-contacts-1").turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    words = text_of(reply)
    assert "省商务厅：电话 0851-86000000；办公时间 工作日 9:00-17:00；网址 https://swt.example.gov.cn/" in words
    assert contract(reply)["citations"][0]["ref"] == "guizhou/17"
    assert contract(reply)["contacts"] == [
        {"agency": "省商务厅", "phone": "0851-86000000", "hours": "工作日 9:00-17:00", "address": None,
         "website": "https://swt.example.gov.cn/"}
    ]  # fmt: skip


async def test_a_kept_directory_without_the_unit_says_so(domain: dict[str, Any]) -> None:
    directory.save(
        records_engine(), directory.checked("xizang", "自治区商务厅", {"phone": "0891-1234567"}, PLANS), "li"
    )
    reply = await Talk(domain, "web-contacts-2").turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    assert "本服务暂未登记省商务厅的联系方式" in text_of(reply) and "0891-1234567" not in text_of(reply)
    assert "contacts" not in contract(reply)


async def test_an_agencys_number_comes_from_the_directory_never_from_the_plans(domain: dict[str, Any]) -> None:
    """ "拉萨市场监管局电话多少" asks for an agency's number, not the service's hotline: the plans have none, so the
    directory's entry for 西藏's 自治区市场监管局 is given when kept, and otherwise that none is kept."""
    asked = "西藏拉萨市场监管局的电话多少"
    before = await Talk(domain, "web-agency-phone-0").turn(ActionServiceInfo(), asked, "ask_hotline")
    words = text_of(before)
    assert "不写它们的电话" in words and "本服务暂未登记自治区市场监管局的联系方式" in words
    assert "人工热线" not in words and not re.search(r"\d{4,}", words)
    assert contract(before)["kind"] == "service" and contract(before)["contacts"] == []

    entry = {"phone": "0891-6000000", "address": "拉萨市城关区"}
    directory.save(records_engine(), directory.checked("xizang", "自治区市场监管局", entry, PLANS), "wang")
    after = await Talk(domain, "web-agency-phone-1").turn(ActionServiceInfo(), asked, "ask_hotline")
    assert "自治区市场监管局：电话 0891-6000000；地址 拉萨市城关区（本服务登记的联系方式）" in text_of(after)
    assert contract(after)["contacts"][0]["phone"] == "0891-6000000"


async def test_the_services_own_hotline_is_still_the_services(domain: dict[str, Any]) -> None:
    reply = await Talk(domain, "web-agency-phone-2").turn(ActionServiceInfo(), "人工客服电话多少", "ask_hotline")
    assert "人工热线" in text_of(reply) and "contacts" not in contract(reply)
