"""The service directory: what it takes (a phone that is a phone number, an http(s) site, a known plan), what a
seed file may not do (overwrite staff edits, be the example), and the lookups answers make."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.kb.db import make_engine
from bot.settings import PROJECT_ROOT, Settings
from bot.store import directory
from bot.store.records import ensure_tables

PLANS = {"guizhou", "yunnan", "baode", "xizang", "guangxi"}


@pytest.fixture()
def engine(fresh_settings: Settings) -> Engine:
    made = make_engine(fresh_settings.database_url)
    ensure_tables(made)
    return made


@pytest.mark.parametrize(
    ("plan", "agency", "fields", "message"),
    [
        ("zhejiang", "省商务厅", {"phone": "12315"}, "收录的地区方案"),
        ("guizhou", "", {"phone": "12315"}, "单位名称"),
        ("guizhou", "省商务厅", {"phone": "请拨打12315"}, "电话只能包含数字"),
        ("guizhou", "省商务厅", {"phone": "0851-1234<script>"}, "电话只能包含数字"),
        ("guizhou", "省商务厅", {"website": "javascript:alert(1)"}, "网址须以"),
        ("guizhou", "省商务厅", {"hours": "工作日"}, "至少填写电话、地址或网址"),
        ("guizhou", "省商务厅", {"address": "a\x00b"}, "控制字符"),
        ("guizhou", "省商务厅", {"address": "路" * 121}, "太长"),
    ],
)
def test_what_the_directory_refuses(plan: str, agency: str, fields: dict[str, str], message: str) -> None:
    with pytest.raises(directory.DirectoryError, match=message):
        directory.checked(plan, agency, fields, PLANS)


def test_the_example_file_is_refused_and_a_real_one_seeds_without_overwriting_staff_edits(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(directory.DirectoryError, match="示例文件"):
        directory.read_file(PROJECT_ROOT / "deploy" / "service_directory.example.yml", PLANS)
    office = tmp_path / "directory.yml"
    office.write_text(
        "contacts:\n  - {plan: guizhou, agency: 省商务厅, phone: 0851-86000000, hours: 工作日 9:00-17:00}\n"
        "  - {plan: yunnan, agency: 省市场监管局, phone: '12315'}\n",
        encoding="utf-8",
    )
    assert directory.seed(engine, directory.read_file(office, PLANS)) == 2
    edited = directory.checked("guizhou", "省商务厅", {"phone": "0851-86000001"}, PLANS)
    directory.save(engine, edited, "wang")
    assert directory.seed(engine, directory.read_file(office, PLANS)) == 0  # staff edits win over the file
    found, kept = directory.contacts_for(engine, "guizhou", ["省商务厅", "省市场监管局"])
    assert kept and list(found) == ["省商务厅"] and found["省商务厅"].phone == "0851-86000001"
    assert found["省商务厅"].hours is None  # the staff edit replaced the whole entry


def test_an_empty_directory_is_not_kept(engine: Engine) -> None:
    assert directory.contacts_for(engine, "guizhou", ["省商务厅"]) == ({}, False)
    saved = directory.save(engine, directory.checked("xizang", "自治区商务厅", {"phone": "0891-1234567"}, PLANS), "li")
    assert directory.contacts_for(engine, "guizhou", ["省商务厅"]) == ({}, True)
    assert saved.id is not None and directory.remove(engine, saved.id) and not directory.remove(engine, saved.id)
