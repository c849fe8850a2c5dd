"""The console for a call in progress: 未处理 / 全部 with paging, Beijing time with its zone, region and topic names
(never ids), a case with its transcript and contact, an operator's reply, note and close recorded with who and
when, the new-case poll, and the records whose cited clause changed in a revised plan (old and new text)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.gateway.app import create_app
from bot.gateway.staff_cases import beijing
from bot.kb.__main__ import main as kb_main
from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store.contact import Contact
from bot.store.models import Feedback, HandoffCase, UnansweredQuestion
from bot.store.records import ensure_tables, open_case, record_feedback, record_unanswered, set_contact
from tests.gateway.conftest import STAFF_TOKEN
from tests.gateway.test_staff import login
from tests.kb.test_versions import GUIZHOU, make_scratch, revised_guizhou

HEADERS = {"X-Requested-With": "ipr-staff"}


def test_beijing_time_is_utc_plus_8_and_says_so() -> None:
    assert beijing(datetime(2026, 11, 30, 17, 5, tzinfo=timezone.utc)) == "2026-12-01 01:05（北京时间）"
    assert beijing(datetime(2026, 11, 30, 3, 0)) == "2026-11-30 11:00（北京时间）"  # SQLite's naive UTC


def seed_cases(settings: Settings, count: int) -> list[str]:
    engine = make_engine(settings.database_url)
    ensure_tables(engine)
    numbers = []
    for i in range(count):
        numbers.append(
            open_case(
                engine,
                f"web-{i}",
                [f"问题{i}"],
                "贵州省",
                "ip_insurance",
                transcript=[{"who": "user", "text": f"问题{i}"}, {"who": "bot", "text": f"回答{i}"}],
                regions=["贵州省", "云南省"],
                topics=["知识产权保险"],
                refs=["guizhou/17"],
            ).case_number
        )
    set_contact(engine, f"web-{count - 1}", Contact("phone", "13812345678"))
    with Session(engine) as session, session.begin():
        session.execute(update(HandoffCase).values(created_at=datetime(2026, 11, 30, 17, 5)))
    engine.dispose()
    return numbers


async def test_open_and_all_views_page_and_show_names_and_beijing_time(
    client: TestClient, gateway_settings: Settings
) -> None:
    numbers = seed_cases(gateway_settings, 53)
    await login(client)
    first = await (await client.get("/staff/api/records", params={"view": "open"})).json()
    assert (
        first["view"] == "open" and len(first["cases"]) == 50 and first["counts"]["cases"] == {"total": 53, "open": 53}
    )
    second = await (await client.get("/staff/api/records", params={"view": "open", "page": "2"})).json()
    assert len(second["cases"]) == 3
    assert {c["case_number"] for c in first["cases"] + second["cases"]} == set(numbers)
    case = first["cases"][0]
    assert case["created_label"] == "2026-12-01 01:05（北京时间）"
    assert case["topic"] == "知识产权保险" and case["topics"] == ["知识产权保险"] and "ip_insurance" not in str(case)
    assert case["regions"] == ["贵州省", "云南省"]
    assert case["contact"] == "13812345678" and case["contact_kind"] == "电话"

    done = await client.post(f"/staff/api/cases/{case['id']}/close", headers=HEADERS)
    assert done.status == 200
    waiting = await (await client.get("/staff/api/records", params={"view": "open"})).json()
    everything = await (await client.get("/staff/api/records", params={"view": "all"})).json()
    assert case["id"] not in [c["id"] for c in waiting["cases"]] and waiting["counts"]["cases"]["open"] == 52
    assert case["id"] in [c["id"] for c in everything["cases"]] + [
        c["id"] for c in (await (await client.get("/staff/api/records?view=all&page=2")).json())["cases"]
    ]
    latest = await (await client.get("/staff/api/cases/latest")).json()
    assert latest == {"newest": 53, "open": 52}


async def test_a_legacy_case_shows_its_topic_by_name(client: TestClient, gateway_settings: Settings) -> None:
    engine = make_engine(gateway_settings.database_url)
    ensure_tables(engine)
    open_case(engine, "web-old", ["保险"], "贵州省", "ip_insurance")  # as cases were stored before
    engine.dispose()
    await login(client)
    case = (await (await client.get("/staff/api/records")).json())["cases"][0]
    assert case["topic"] == "知识产权保险" and case["topics"] == ["知识产权保险"] and case["regions"] == ["贵州省"]


async def test_an_operator_replies_notes_and_closes_with_name_and_time(
    client: TestClient, gateway_settings: Settings
) -> None:
    seed_cases(gateway_settings, 1)
    await login(client)
    detail = await (await client.get("/staff/api/cases/1")).json()
    assert detail["transcript"] == [{"who": "user", "text": "问题0"}, {"who": "bot", "text": "回答0"}]
    assert detail["citations"][0]["title"].startswith("贵州省 第17条") and detail["contact"] == "13812345678"
    assert (await client.post("/staff/api/cases/1/reply", json={"text": "已答复"})).status == 403  # no header
    assert (await client.post("/staff/api/cases/1/reply", json={"text": " "}, headers=HEADERS)).status == 400
    assert (await client.post("/staff/api/cases/1/delete", headers=HEADERS)).status == 404
    assert (await client.post("/staff/api/cases/99/close", headers=HEADERS)).status == 404
    for action, body in (("note", "已电话联系"), ("reply", "请向省商务厅咨询。"), ("close", "")):
        response = await client.post(f"/staff/api/cases/1/{action}", json={"text": body}, headers=HEADERS)
        assert response.status == 200, await response.text()
    detail = await (await client.get("/staff/api/cases/1")).json()
    assert (
        detail["reply"] == "请向省商务厅咨询。" and detail["handled"] and detail["replied_at"].endswith("（北京时间）")
    )
    assert detail["notes"][0]["by"] == "bootstrap" and detail["notes"][0]["text"] == "已电话联系"
    assert [(h["by"], h["action"]) for h in detail["history"]] == [
        ("bootstrap", "备注"), ("bootstrap", "答复"), ("bootstrap", "办结"),
    ]  # fmt: skip
    assert all(h["at"].endswith("（北京时间）") for h in detail["history"])
    assert (await client.get("/staff/api/cases/999")).status == 404


async def test_odd_bodies_for_a_note_are_4xx_not_500(client: TestClient, gateway_settings: Settings) -> None:
    """Issue 20 N9: ``charset=bogus-xyz`` and JSON nested 30,000 deep were HTTP 500s."""
    seed_cases(gateway_settings, 1)
    await login(client)
    odd = [
        ('{"text": "备注"}'.encode(), "application/json; charset=bogus-xyz", 415),
        (b"[" * 30000 + b"]" * 30000, "application/json", 400),
        (b'{"text": "\xff', "application/json", 400),
        ("备注".encode("gbk"), "application/json", 400),
        (b'["text"]', "application/json", 400),
        (b"text=hi", "application/x-www-form-urlencoded", 415),
    ]
    for body, content_type, status in odd:
        response = await client.post(
            "/staff/api/cases/1/note", data=body, headers={**HEADERS, "Content-Type": content_type}
        )
        assert response.status == status, (content_type, body[:20], await response.text())
    detail = await (await client.get("/staff/api/cases/1")).json()
    assert not detail["notes"]


async def test_records_citing_a_clause_that_changed_are_flagged_side_by_side(
    aiohttp_client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Made on the draft of 贵州 (before the revision): a case, a feedback and an unanswered question citing clause 17
    (its agencies change), one citing clause 14 (only renumbered: not flagged), and one made after the revision."""
    scratch = make_scratch(tmp_path)
    engine = make_engine(scratch.settings.database_url)
    ensure_tables(engine)
    open_case(engine, "web-c", ["海外维权"], "贵州省", None, refs=["guizhou/17"])
    record_feedback(engine, "web-f", False, ["guizhou/17", "guizhou/14"], "没用")
    record_unanswered(engine, "web-u", "海外展会被投诉怎么办", "贵州省", ["guizhou/14"])
    with Session(engine) as session, session.begin():
        for model in (HandoffCase, Feedback, UnansweredQuestion):
            session.execute(update(model).values(created_at=datetime(2025, 5, 1, 9, 30)))
    new_file = tmp_path / "guizhou-2021.txt"
    new_file.write_text(revised_guizhou((Settings().seeds_dir / GUIZHOU).read_text(encoding="utf-8")), "utf-8")
    monkeypatch.setenv("SEEDS_DIR", str(scratch.settings.seeds_dir))
    monkeypatch.setenv("DATABASE_URL", scratch.settings.database_url)
    assert kb_main(["add-version", "贵州", str(new_file), "--status", "已印发", "--issued", "2021-03-01"]) == 0
    record_feedback(engine, "web-later", False, ["guizhou/17"], "没用")  # cited the text in force: not flagged
    engine.dispose()

    settings = dataclasses.replace(scratch.settings, staff_token=STAFF_TOKEN)
    client = await aiohttp_client(create_app(settings))
    await login(client)
    flagged = (await (await client.get("/staff/api/flagged")).json())["records"]
    assert sorted((r["kind"], r["kind_name"]) for r in flagged) == [("cases", "转人工"), ("feedback", "反馈")]
    for record in flagged:
        assert record["created_at"] == "2025-05-01 17:30（北京时间）"
        [clause] = record["clauses"]  # 17 changed; 14 was only renumbered
        assert clause["ref"] == "guizhou/17" and not clause["removed"]
        assert "省商务厅牵头" in clause["then_text"] and "省市场监管局牵头" in clause["now"][0]["text"]
        assert "牵头单位由省商务厅改为省市场监管局" in clause["changes"]
    assert next(r for r in flagged if r["kind"] == "cases")["label"].startswith("IPR")


async def test_a_case_shows_the_whole_conversation_across_rasa_sessions(
    aiohttp_client: Any, gateway_settings: Settings, tmp_path: Path
) -> None:
    """The gateway starts a new Rasa session every 30 messages; a case opened later stores only its session. The
    console reads the earlier ones from Rasa's tracker store: every message, no "/session_start", button titles."""
    import json

    from sqlalchemy import create_engine, insert

    from bot.report.sources import EVENTS, TRACKER_METADATA

    tracker = create_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    TRACKER_METADATA.create_all(tracker)
    start = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc).timestamp()

    def event(at: float, kind: str, text: str, intent: str | None = None, buttons: Any = None) -> dict[str, Any]:
        data: dict[str, Any] = {"event": kind, "timestamp": start + at, "text": text}
        if kind == "user":
            data["parse_data"] = {"intent": {"name": intent}}
        if buttons:
            data["data"] = {"buttons": buttons}
        return {"sender_id": "web-long", "type_name": kind, "timestamp": start + at, "data": json.dumps(data)}

    events = [
        event(1, "user", "贵州企业海外维权找谁", "overseas_assistance"),
        event(
            2,
            "bot",
            "牵头单位：省商务厅",
            buttons=[{"title": "查看原文", "payload": '/show_clause{"ref": "guizhou/17"}'}],
        ),
        event(3, "user", '/show_clause{"ref": "guizhou/17"}', "show_clause"),
        event(4, "user", "/session_start", "session_start"),
        event(5, "session_started", ""),
        event(6, "user", "转人工", "human_handoff"),
        event(900, "user", "过了很久才说的话", "greet"),  # after the case: not part of it
    ]
    with tracker.begin() as connection:
        connection.execute(insert(EVENTS), [{"intent_name": None, **e} for e in events])
    tracker.dispose()
    settings = dataclasses.replace(gateway_settings, tracker_store_url=f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    records = make_engine(settings.database_url)
    ensure_tables(records)
    open_case(records, "web-long", ["转人工"], "贵州省", None, transcript=[{"who": "user", "text": "转人工"}])
    with Session(records) as session, session.begin():
        session.execute(update(HandoffCase).values(created_at=datetime(2026, 11, 30, 9, 0, 7)))  # naive UTC
    records.dispose()

    client = await aiohttp_client(create_app(settings))
    await login(client)
    detail = await (await client.get("/staff/api/cases/1")).json()
    assert detail["transcript"] == [
        {"who": "user", "text": "贵州企业海外维权找谁"},
        {"who": "bot", "text": "牵头单位：省商务厅"},
        {"who": "user", "text": "查看原文"},
        {"who": "user", "text": "转人工"},
    ]
