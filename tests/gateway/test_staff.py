"""The hotline console: closed without the token, search with filters and copy-ready answers, records unhandled
first and newest first, mark as handled (with the anti-CSRF header), never framed. (Accounts, sessions and
throttling: test_staff_accounts.py.)"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp.test_utils import TestClient

from bot.gateway.app import create_app
from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store.records import ensure_tables, open_case, record_feedback, record_unanswered
from tests.gateway.conftest import STAFF_TOKEN


async def login(client: TestClient) -> None:
    response = await client.post("/staff/login", data={"password": STAFF_TOKEN}, allow_redirects=False)
    assert response.status == 303 and "ipr_staff" in response.cookies


async def test_console_and_api_need_the_token(client: TestClient) -> None:
    page = await client.get("/staff")
    assert page.status == 401 and "用户名" in await page.text() and "密码" in await page.text()
    assert (
        page.headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )
    for path in ("/staff/api/search?q=海外维权", "/staff/api/records"):
        response = await client.get(path)
        assert response.status == 401 and "请先登录" in (await response.json())["error"]
    wrong = await client.post("/staff/login", data={"password": "guess"}, allow_redirects=False)
    assert wrong.status == 303 and wrong.headers["Location"] == "/staff?error=failed"
    assert "ipr_staff" not in wrong.cookies
    forged = await client.get("/staff/api/records", cookies={"ipr_staff": "0" * 64})
    assert forged.status == 401


async def test_console_is_closed_when_no_token_is_configured(aiohttp_client: Any, kb_settings: Settings) -> None:
    client = await aiohttp_client(create_app(dataclasses.replace(kb_settings, staff_token="")))
    closed = await client.get("/staff")
    page = await closed.text()
    assert closed.status == 503 and closed.content_type == "text/html"
    assert "热线工作台尚未启用" in page and "<code>make operator NAME=用户名</code>" in page  # the exact command
    api = await client.get("/staff/api/records", headers={"Authorization": "Bearer "})
    assert api.status == 503 and "make operator NAME=用户名" in (await api.json())["error"]


async def test_search_with_filters_gives_clause_agencies_and_a_copy_ready_answer(client: TestClient) -> None:
    await login(client)
    assert (await client.get("/staff")).status == 200
    data = await (await client.get("/staff/api/search", params={"q": "海外维权", "region": "贵州"})).json()
    first = data["results"][0]
    assert first["ref"] == "guizhou/17" and first["agencies"][0] == {"name": "省商务厅", "role": "牵头单位"}
    assert "出处：《贵州省关于强化知识产权保护的实施意见（征求意见稿）》第17条" in first["answer"]
    assert first["answer"].endswith("仅供参考，不构成法律意见。")
    by_topic = await (await client.get("/staff/api/search", params={"topic": "ip_insurance"})).json()
    assert {r["ref"] for r in by_topic["results"]} >= {"guizhou/17", "yunnan/14", "baode/13", "guangxi/14"}
    by_agency = await (await client.get("/staff/api/search", params={"agency": "县司法局", "region": "保德"})).json()
    assert by_agency["results"] and all(
        any(a["name"] == "县司法局" for a in r["agencies"]) for r in by_agency["results"]
    )
    deadline = await (await client.get("/staff/api/search", params={"q": "维权援助中心", "region": "云南"})).json()
    assert any(r["deadline"] == "2021年12月底前完成" for r in deadline["results"])
    insurance = (await (await client.get("/staff/api/search", params={"q": "保险"})).json())["results"]
    assert {r["ref"] for r in insurance} >= {"guizhou/17", "yunnan/14", "baode/13", "guangxi/14"}
    assert all("保险" in r["quote"] and r["marks"] == ["保险"] for r in insurance)  # no padding, the word marked


async def test_search_bad_input(client: TestClient) -> None:
    await login(client)
    for params, message in (
        ({}, "请输入问题"),
        ({"q": "x" * 600}, "太长"),
        ({"q": "假货", "region": "浙江"}, "暂未收录"),
        ({"topic": "nonsense"}, "未知主题"),
    ):
        response = await client.get("/staff/api/search", params=params)
        assert response.status == 400 and message in (await response.json())["error"]


async def test_records_newest_first_and_mark_handled(client: TestClient, gateway_settings: Settings) -> None:
    engine = make_engine(gateway_settings.database_url)
    ensure_tables(engine)
    first = open_case(engine, "web-a", ["保德县纠纷调解找谁", "转人工"], "山西省", "mediation_arbitration")
    second = open_case(engine, "web-b", ["<img src=x onerror=alert(1)>"], None, None)
    record_unanswered(engine, "web-c", "驰名商标奖励是哪里的", None, ["xizang/17"])
    record_feedback(engine, "web-d", False, ["guizhou/17"], "答非所问")
    record_feedback(engine, "web-e", True, ["guizhou/17"], "很有用")
    engine.dispose()
    await login(client)
    data = await (await client.get("/staff/api/records")).json()
    numbers = [c["case_number"] for c in data["cases"]]
    assert numbers.index(second.case_number) < numbers.index(first.case_number)
    assert data["cases"][numbers.index(first.case_number)]["messages"] == ["保德县纠纷调解找谁", "转人工"]
    assert data["unanswered"][0]["suggested"] == ["xizang/17"]
    assert data["unanswered"][0]["suggested_titles"] == ["西藏自治区 第17条"]  # as a person reads it
    assert all(not f["positive"] for f in data["feedback"]) and data["feedback"][0]["refs"] == ["guizhou/17"]
    assert data["feedback"][0]["cited"] == ["贵州省 第17条"]
    case_id = data["cases"][0]["id"]
    refused = await client.post(f"/staff/api/records/cases/{case_id}/handled")
    assert refused.status == 403
    done = await client.post(f"/staff/api/records/cases/{case_id}/handled", headers={"X-Requested-With": "ipr-staff"})
    assert done.status == 200
    again = await (await client.get("/staff/api/records")).json()
    handled = [c for c in again["cases"] if c["id"] == case_id]
    assert handled[0]["handled"] is True and again["cases"][-1]["id"] == case_id  # handled ones go last
    missing = await client.post("/staff/api/records/cases/999999/handled", headers={"X-Requested-With": "ipr-staff"})
    assert missing.status == 404
    unknown = await client.post("/staff/api/records/secrets/1/handled", headers={"X-Requested-With": "ipr-staff"})
    assert unknown.status == 404


async def test_logout_clears_the_session(client: TestClient) -> None:
    await login(client)
    await client.post("/staff/logout", allow_redirects=False)
    assert (await client.get("/staff/api/records")).status == 401


async def test_the_service_directory_is_kept_in_the_console_and_reaches_the_copy_ready_answer(
    client: TestClient,
) -> None:
    await login(client)
    headers = {"X-Requested-With": "ipr-staff"}
    entry = {"plan": "guizhou", "agency": "省商务厅", "phone": "0851-86000000", "hours": "工作日 9:00-17:00"}
    assert (await client.post("/staff/api/directory", json=entry)).status == 403  # no header: a cross-site form
    refused = await client.post("/staff/api/directory", json={**entry, "phone": "打12315"}, headers=headers)
    assert refused.status == 400 and "电话只能包含数字" in (await refused.json())["error"]
    saved = await (await client.post("/staff/api/directory", json=entry, headers=headers)).json()
    listed = await (await client.get("/staff/api/directory")).json()
    assert [c["agency"] for c in listed["contacts"]] == ["省商务厅"]
    assert {"plan": "guizhou", "region": "贵州省"} in listed["plans"]
    found = await (await client.get("/staff/api/search", params={"q": "海外维权", "region": "贵州"})).json()
    first = found["results"][0]
    assert first["ref"] == "guizhou/17"
    assert "联系方式：省商务厅：电话 0851-86000000；办公时间 工作日 9:00-17:00（本服务登记）" in first["answer"]
    contact_id = saved["contact"]["id"]
    assert (await client.post(f"/staff/api/directory/{contact_id}/delete", headers=headers)).status == 200
    assert (await client.post(f"/staff/api/directory/{contact_id}/delete", headers=headers)).status == 404
    assert (await (await client.get("/staff/api/directory")).json())["contacts"] == []
