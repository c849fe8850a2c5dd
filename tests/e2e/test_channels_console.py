"""The hotline console in a real headless Chromium shows each enterprise channel's 转人工 case with its channel
("来自企业微信", "来自钉钉", "来自飞书"), after conversations through the real stack."""

from __future__ import annotations

import json
import re
import time
import uuid

from selenium import webdriver
from selenium.webdriver.common.by import By
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import HandoffCase
from bot.store.records import update_case
from tests.e2e.channels_support import FeishuApi, card_text, dingtalk, feishu, feishu_text, wecom
from tests.e2e.conftest import STAFF_TOKEN, Chat
from tests.e2e.test_browser import wait_for
from tests.support.browser import SHOTS

CASE = re.compile(r"IPR\d{8}-\d+")


def test_console_shows_each_cases_channel(browser: webdriver.Chrome, chat: Chat, feishu_api: FeishuApi) -> None:
    tag = uuid.uuid4().hex[:8]
    cases = {
        "企业微信": CASE.search(wecom(chat.gateway, "转人工", f"console{tag}")),
        "钉钉": CASE.search(str(dingtalk(chat.gateway, "转人工", f"console{tag}"))),
        "飞书": CASE.search(
            card_text(feishu(chat.gateway, feishu_api, feishu_text("转人工", f"ou_{tag}", f"oc_{tag}")))
        ),
    }
    numbers = {name: found.group(0) for name, found in cases.items() if found}
    assert len(numbers) == 3, cases
    browser.get(f"{chat.gateway}/staff")
    browser.find_element(By.ID, "password").send_keys(STAFF_TOKEN)
    browser.find_element(By.CSS_SELECTOR, "form.card button, form.card [type=submit]").click()

    def listed() -> str:
        return "\n".join(item.text for item in browser.find_elements(By.CSS_SELECTOR, "#cases li"))

    wait_for(browser, lambda: all(number in listed() for number in numbers.values()))
    text = listed()
    for name, number in numbers.items():
        line = next(line for line in text.split("\n") if number in line)
        assert f"来自{name}" in line, line
    browser.save_screenshot(str(SHOTS / "staff-channels.png"))


def test_an_operators_reply_reaches_the_feishu_user_through_the_platform_api(chat: Chat, feishu_api: FeishuApi) -> None:
    tag = uuid.uuid4().hex[:8]
    user = f"ou_{tag}"
    handoff = card_text(feishu(chat.gateway, feishu_api, feishu_text("转人工", user, f"oc_{tag}")))
    found = CASE.search(handoff)
    assert found, handoff
    with Session(chat.engine) as session:
        case = session.scalars(select(HandoffCase).where(HandoffCase.case_number == found.group(0))).one()
    assert (case.channel, case.reply_to) == ("feishu", {"user": user})  # what the gateway read from the event
    feishu_api.settle()
    seen = len(feishu_api.requests)
    sent = time.monotonic()
    update_case(chat.engine, case.id, "wang", "reply", "您好，请把侵权链接和购买凭证发给我们。")
    request = feishu_api.wait_message(seen, timeout=10, to=user)
    assert time.monotonic() - sent < 5.0
    assert request["path"] == "/open-apis/im/v1/messages?receive_id_type=open_id"
    assert request["authorization"] == "Bearer t-e2e-token" and request["body"]["msg_type"] == "text"
    text = json.loads(request["body"]["content"])["text"]
    assert text == (
        f"【人工客服答复】案件 {case.case_number}\n您好，请把侵权链接和购买凭证发给我们。\n"
        f"（随时发送“查询 {case.case_number}”可再次查看）"
    )
    feishu_api.settle()
    assert sum(r["body"].get("receive_id") == user for r in feishu_api.requests[seen:]) == 1  # once
    with Session(chat.engine) as session:
        delivered = session.get(HandoffCase, case.id)
        assert delivered is not None and delivered.delivered_at is not None and delivered.delivery_error is None
