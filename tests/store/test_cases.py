"""Handoff cases that reach a person: a validated contact, the whole transcript with regions and topics by name,
status for "查询", an operator's reply, note and close in the audit trail, the 未处理 view, and the columns added
to a table made by an older version."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from bot.store.contact import Contact, parse_contact
from bot.store.models import HandoffCase
from bot.store.records import (
    case_history,
    case_status,
    contact_ending,
    ensure_tables,
    newest_case,
    open_case,
    open_case_without_contact,
    record_page,
    set_contact,
    update_case,
)
from bot.store.staff import StaffAudit


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    made = create_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(made)
    return made


@pytest.mark.parametrize(
    ("message", "kind", "value"),
    [
        ("13812345678", "phone", "13812345678"),
        ("138 1234 5678", "phone", "13812345678"),
        ("+86-138-1234-5678", "phone", "13812345678"),
        ("我的手机号是１３８１２３４５６７８", "phone", "13812345678"),
        ("电话 0851-86891234", "phone", "0851-86891234"),
        ("Li.Wang@Example.COM", "email", "Li.Wang@example.com"),
        ("邮箱：wang@qq.com", "email", "wang@qq.com"),
        ("微信号：Wang_Li88", "wechat", "Wang_Li88"),
        ("wxid_abc123def", "wechat", "wxid_abc123def"),
        ("微信 13812345678", "wechat", "13812345678"),
    ],
)
def test_a_contact_is_validated_and_normalised(message: str, kind: str, value: str) -> None:
    assert parse_contact(message) == Contact(kind, value)


@pytest.mark.parametrize(
    "message",
    ["", "贵州商标被抢注怎么办", "12345", "1381234567", "23812345678", "hello", "请在2021年12月31日前完成", "a@b"],
)
def test_a_question_or_a_bad_number_is_not_a_contact(message: str) -> None:
    assert parse_contact(message) is None


def test_a_case_keeps_the_transcript_regions_topics_and_citations(engine: Engine) -> None:
    turns = [
        {"who": "user", "text": "贵州企业海外维权找谁？"},
        {"who": "bot", "text": "贵州省 第17条：……省商务厅牵头"},
        {"who": "user", "text": "转人工"},
    ]
    receipt = open_case(
        engine, "web-a", ["贵州企业海外维权找谁？"], "贵州省", "海外维权", transcript=turns,
        regions=["贵州省", "云南省"], topics=["海外维权"], refs=["guizhou/17", "guizhou/17"],
    )  # fmt: skip
    again = open_case(engine, "web-a", ["还有"], "云南省", None, transcript=[*turns, {"who": "user", "text": "还有"}],
                      regions=["西藏自治区"], refs=["yunnan/10"])  # fmt: skip
    assert again.case_number == receipt.case_number  # one open case per conversation
    with Session(engine) as session:
        case = session.scalars(select(HandoffCase)).one()
        assert case.transcript[-1] == {"who": "user", "text": "还有"} and len(case.transcript) == 4
        assert case.regions == ["贵州省", "云南省", "西藏自治区"] and case.topics == ["海外维权"]
        assert case.cited_refs == ["guizhou/17", "yunnan/10"]


def test_contact_status_reply_and_close_with_the_operator_and_the_time(engine: Engine) -> None:
    number = open_case(engine, "web-b", ["转人工"], None, None).case_number
    assert open_case_without_contact(engine, "web-b") == number
    assert set_contact(engine, "web-b", Contact("phone", "13812345678")) == number
    assert open_case_without_contact(engine, "web-b") is None
    assert set_contact(engine, "web-other", Contact("phone", "13812345678")) is None

    status = case_status(engine, number.lower(), "web-b")
    assert status is not None and (status.state, status.reply, status.own) == ("open", None, True)
    case_id = int(number.rsplit("-", 1)[1])
    update_case(engine, case_id, "wang", "note", "已电话联系，用户稍后补充材料")
    update_case(engine, case_id, "wang", "reply", "请向省市场监管局（0851-1234567）咨询。")
    replied = case_status(engine, number, "web-b")
    assert replied is not None and replied.state == "replied" and replied.reply and "省市场监管局" in replied.reply
    assert replied.replied_at is not None
    other = case_status(engine, number, "web-stranger")
    assert other is not None and not other.own and other.has_contact  # the action shows a stranger the state only
    elsewhere = case_status(engine, number, "web-new-tab", "5678")  # the phone's last four open it anywhere
    assert elsewhere is not None and elsewhere.own and elsewhere.reply == replied.reply
    assert case_status(engine, number, "web-new-tab", "5679") is None  # a wrong ending: as if there were no case
    closed = update_case(engine, case_id, "li", "close")
    assert closed is not None and closed.handled and closed.closed_at is not None
    assert case_status(engine, number, "web-b").state == "closed"  # type: ignore[union-attr]
    assert [(who, what, text) for _, who, what, text in case_history(engine, case_id)] == [
        ("wang", "note", "已电话联系，用户稍后补充材料"),
        ("wang", "reply", "请向省市场监管局（0851-1234567）咨询。"),  # the history says what was sent
        ("li", "handled", None),
    ]
    assert closed.notes and closed.notes[0]["by"] == "wang"
    assert update_case(engine, 999, "wang", "close") is None
    assert case_status(engine, "IPR20200101-00009", "web-b") is None


def test_the_open_view_lists_only_unhandled_records_and_pages(engine: Engine) -> None:
    numbers = [open_case(engine, f"web-{i}", [f"问题{i}"], None, None).case_number for i in range(7)]
    update_case(engine, 1, "wang", "close")
    everything = record_page(engine, "cases", 1, 5)
    waiting = record_page(engine, "cases", 1, 5, only_open=True)
    second = record_page(engine, "cases", 2, 5, only_open=True)
    assert (everything.total, everything.open) == (7, 6)
    assert len(waiting.rows) == 5 and len(second.rows) == 1 and not any(r.handled for r in waiting.rows + second.rows)
    assert waiting.rows[0].case_number == numbers[-1]  # newest first
    assert newest_case(engine) == (7, 6)


def test_an_older_table_gets_the_new_columns(tmp_path: Path) -> None:
    old = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with old.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE handoff_cases (id INTEGER PRIMARY KEY, case_number VARCHAR(30), conversation_id "
                "VARCHAR(200), channel VARCHAR(30), region VARCHAR(40), topic VARCHAR(40), user_messages JSON, "
                "created_at DATETIME, handled BOOLEAN)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO handoff_cases VALUES (1, 'IPR20260101-00001', 'web-old', 'web', '贵州省', "
                "'ip_insurance', '[\"保险\"]', '2026-01-01 00:00:00', 0)"
            )
        )
    ensure_tables(old)
    ensure_tables(old)  # twice is a no-op
    number = set_contact(old, "web-old", Contact("email", "a@example.com"))
    assert number == "IPR20260101-00001"
    update_case(old, 1, "wang", "reply", "已答复")
    with Session(old) as session:
        assert session.scalars(select(StaffAudit.action)).all() == ["reply"]


def test_a_case_number_takes_five_wrong_endings_an_hour_then_refuses_even_the_right_one(engine: Engine) -> None:
    number = open_case(engine, "web-owner", ["转人工"], None, None).case_number
    set_contact(engine, "web-owner", Contact("email", "Wang.Li@example.com"))
    assert case_status(engine, number, "web-x", "g.li") is not None  # an e-mail's last four before the @, any case
    for guess in ("0000", "0001", "0002", "0003", "0004"):
        assert case_status(engine, number, "web-x", guess) is None
    assert case_status(engine, number, "web-x", ".LI") is None  # right, but the number is locked for the hour
    assert case_status(engine, number, "web-owner") is not None  # its own conversation still sees it


def test_contact_endings_by_kind() -> None:
    assert contact_ending("0851-12345678", "phone") == "5678"
    assert contact_ending("Wang_Li88", "wechat") == "li88"
    assert contact_ending("abc@example.com", "email") == "abc"  # shorter than four: the whole local part
