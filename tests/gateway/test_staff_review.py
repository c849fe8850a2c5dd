"""The console's 待标注 inbox over HTTP: behind the login, masked messages least confident first with filters,
confirm / correct / discard / mask / mark the reply (each with the anti-CSRF header), the examples they made and
undo — and what an attacker sends gets a clean 4xx, never a change."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.gateway import staff_retrain
from bot.kb.db import make_engine
from bot.review.inbox import Incoming, record
from bot.settings import Settings
from bot.store.models import ReviewedExample, ReviewItem
from bot.store.records import ensure_tables
from bot.store.staff import create_account, set_admin
from tests.gateway.test_staff import login as token_login
from tests.gateway.test_staff_accounts import PASSWORD, login

HEADERS = {"X-Requested-With": "ipr-staff"}


def seed(settings: Settings) -> list[int]:
    """Three messages in an inbox of their own: the database is a copy of the session's, which the action tests
    (answering real questions) fill with inbox rows of their own."""
    engine = make_engine(settings.database_url)
    ensure_tables(engine)
    with Session(engine) as session, session.begin():
        session.execute(delete(ReviewedExample))
        session.execute(delete(ReviewItem))
    made = [
        record(
            engine,
            Incoming(
                "web-a",
                "淘宝卖假货怎么举报，电话13812345678",
                "report_infringement",
                0.71,
                "holder",
                "云南省",
                "ecommerce",
                "answer",
                "可向…举报",
                ("yunnan/10",),
            ),
        ),
        record(
            engine,
            Incoming(
                "wecom-b",
                "被人告了怎么办",
                "report_infringement",
                0.32,
                None,
                None,
                None,
                "ask_region",
                "您在哪个地区？",
            ),
        ),
        record(engine, Incoming("dingtalk-c", "哈哈", "ask_law", 0.2, None, None, None, "limit", "…")),
    ]
    engine.dispose()
    return [m for m in made if m]


async def test_the_inbox_needs_a_login_and_lists_masked_messages_least_confident_first(
    client: TestClient, gateway_settings: Settings
) -> None:
    seed(gateway_settings)
    assert (await client.get("/staff/api/review")).status == 401
    await token_login(client)
    data = await (await client.get("/staff/api/review")).json()
    assert [i["text"] for i in data["items"]] == ["哈哈", "被人告了怎么办", "淘宝卖假货怎么举报,电话【手机号】"]
    assert data["items"][2]["intent_label"] == "去哪里投诉举报" and data["items"][2]["region"] == "云南省"
    intents = data["labels"]["intents"]
    assert {"id": "respond_accusation", "label": "被投诉或被起诉后怎么应对"} in intents
    assert {"id": "ask_tax", "label": "税务和会计处理（方案不涉及）"} in intents
    assert intents[-1] == {"id": "out_of_scope", "label": "与知识产权无关"}
    wecom = await (await client.get("/staff/api/review", params={"channel": "wecom"})).json()
    assert [i["channel"] for i in wecom["items"]] == ["wecom"]
    unanswered = await (await client.get("/staff/api/review", params={"unanswered": "1"})).json()
    assert [i["text"] for i in unanswered["items"]] == ["哈哈"]
    for bad in ({"since": "yesterday"}, {"max_confidence": "nan"}, {"max_confidence": "2"}, {"page": "x"}):
        response = await client.get("/staff/api/review", params=bad)
        assert response.status == 400 and "筛选条件无效" in (await response.json())["error"]


async def test_a_reviewer_corrects_confirms_discards_and_undoes(client: TestClient, gateway_settings: Settings) -> None:
    found, accused, noise = seed(gateway_settings)
    await token_login(client)
    correction = {"intent": "respond_accusation", "side": "accused"}
    assert (await client.post(f"/staff/api/review/{accused}/confirm", json=correction)).status == 403  # no header
    corrected = await client.post(f"/staff/api/review/{accused}/confirm", json=correction, headers=HEADERS)
    assert corrected.status == 200
    assert (await client.post(f"/staff/api/review/{found}/confirm", json={}, headers=HEADERS)).status == 200
    assert (await client.post(f"/staff/api/review/{noise}/discard", json={}, headers=HEADERS)).status == 200
    again = await client.post(f"/staff/api/review/{noise}/discard", json={}, headers=HEADERS)
    assert again.status == 409 and "处理过" in (await again.json())["error"]
    examples = (await (await client.get("/staff/api/reviewed")).json())["examples"]
    assert [(e["intent"], e["side"], e["corrected"]) for e in examples] == [
        ("report_infringement", "holder", False),
        ("respond_accusation", "accused", True),
    ]
    assert "conversation_id" not in examples[0] and examples[1]["channel"] == "wecom"
    assert examples[1]["side_label"] == "被指控方"
    undone = await client.post(f"/staff/api/reviewed/{examples[1]['id']}/undo", headers=HEADERS)
    assert undone.status == 200
    assert (await client.post(f"/staff/api/reviewed/{examples[1]['id']}/undo", headers=HEADERS)).status == 404
    pending = await (await client.get("/staff/api/review")).json()
    assert [i["id"] for i in pending["items"]] == [accused]


async def test_forged_labels_and_odd_requests_change_nothing(client: TestClient, gateway_settings: Settings) -> None:
    found, _, _ = seed(gateway_settings)
    await token_login(client)
    for body in (
        {"intent": "<img src=x onerror=alert(1)>"},
        {"region": "火星"},
        {"side": "judge"},
        {"subject": "x" * 5000},
    ):
        response = await client.post(f"/staff/api/review/{found}/confirm", json=body, headers=HEADERS)
        assert response.status == 400, body
    assert (
        await client.post(
            f"/staff/api/review/{found}/confirm", data="{", headers={**HEADERS, "Content-Type": "application/json"}
        )
    ).status == 400
    assert (await client.post(f"/staff/api/review/{found}/fly", json={}, headers=HEADERS)).status == 404
    assert (await client.post("/staff/api/review/999999/confirm", json={}, headers=HEADERS)).status == 404
    bad_mask = await client.post(
        f"/staff/api/review/{found}/mask", json={"span": "淘宝", "kind": "script"}, headers=HEADERS
    )
    assert bad_mask.status == 400
    masked = await client.post(
        f"/staff/api/review/{found}/mask", json={"span": "淘宝", "kind": "company"}, headers=HEADERS
    )
    assert (await masked.json())["text"].startswith("【单位名称】卖假货")
    verdict = await client.post(f"/staff/api/review/{found}/reply", json={"verdict": "wrong"}, headers=HEADERS)
    assert verdict.status == 200
    assert (await (await client.get("/staff/api/reviewed")).json())["examples"] == []
    item = next(i for i in (await (await client.get("/staff/api/review")).json())["items"] if i["id"] == found)
    assert item["reply_verdict"] == "wrong" and item["status"] == "pending"


async def test_reviewing_is_for_staff_and_retraining_for_admins(
    client: TestClient, gateway_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A staff account reviews but cannot start a retrain; an admin can (here one is already running, so the
    request is refused as busy, not as forbidden); ``grant`` makes an admin and ends their sessions."""
    monkeypatch.setattr(staff_retrain, "_folder", lambda: tmp_path)  # not the project's own var/retrain
    engine = make_engine(gateway_settings.database_url)
    ensure_tables(engine)
    create_account(engine, "reviewer", PASSWORD)
    create_account(engine, "boss", PASSWORD, admin=True)
    found = seed(gateway_settings)[0]
    assert (await login(client, "reviewer", PASSWORD)).status == 303
    assert (await client.post(f"/staff/api/review/{found}/confirm", json={}, headers=HEADERS)).status == 200
    seen = await (await client.get("/staff/api/retrain")).json()
    assert seen == {"admin": False, "status": None, "history": []}
    refused = await client.post("/staff/api/retrain", headers=HEADERS)
    assert refused.status == 403 and "只有管理员" in (await refused.json())["error"]

    (tmp_path / "status.json").write_text(json.dumps({"state": "running", "step": "训练", "pid": os.getpid()}))
    (tmp_path / "history.jsonl").write_text('{"decision": "refused", "reasons": ["Hit@3 降低"]}\nnot json\n')
    assert (await login(client, "boss", PASSWORD)).status == 303
    assert (await client.post("/staff/api/retrain")).status == 403  # no anti-CSRF header
    busy = await client.post("/staff/api/retrain", headers=HEADERS)
    assert busy.status == 409 and "正在进行" in (await busy.json())["error"]
    seen = await (await client.get("/staff/api/retrain")).json()
    assert seen["admin"] is True and seen["status"]["step"] == "训练"
    assert seen["history"] == [{"decision": "refused", "reasons": ["Hit@3 降低"]}]

    (tmp_path / "status.json").write_text(json.dumps({"state": "running", "pid": 2**22 + 12345}))  # no such process
    assert (await (await client.get("/staff/api/retrain")).json())["status"]["state"] == "failed"
    set_admin(engine, "reviewer", True)
    assert (await login(client, "reviewer", PASSWORD)).status == 303
    assert (await (await client.get("/staff/api/retrain")).json())["admin"] is True
    engine.dispose()
