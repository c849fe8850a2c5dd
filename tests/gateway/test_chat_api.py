"""/api/chat, /api/clauses, /api/info, the pages and their headers: normal answers and every kind of bad input."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.gateway.pages import widget_source
from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store.models import Feedback
from bot.store.records import ensure_tables, record_feedback
from tests.gateway.conftest import SENDER, WIDGET_ORIGIN


async def post_chat(client: TestClient, body: object, **kwargs: object):  # type: ignore[no-untyped-def]
    return await client.post("/api/chat", json=body, **kwargs)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"sender": SENDER, "message": ""}, 400, "请输入您的问题"),
        ({"sender": SENDER, "message": "   \n\t"}, 400, "请输入您的问题"),
        ({"sender": SENDER, "message": "假" * 501}, 400, "500字以内"),
        ({"sender": SENDER}, 400, "请输入您的问题"),
        ({"sender": SENDER, "message": 42}, 400, "请输入您的问题"),
        ({"sender": "x", "message": "你好"}, 400, "会话编号无效"),
        ({"sender": "<script>", "message": "你好"}, 400, "会话编号无效"),
        (["not", "an", "object"], 400, "需要一个 JSON 对象"),
    ],
)
async def test_bad_chat_bodies_get_a_clear_chinese_error(
    client: TestClient, body: object, status: int, message: str
) -> None:
    response = await post_chat(client, body)
    assert response.status == status
    assert message in (await response.json())["error"]


async def test_invalid_json_and_wrong_content_type(client: TestClient) -> None:
    response = await client.post("/api/chat", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400 and "不是有效的 JSON" in (await response.json())["error"]
    response = await client.post("/api/chat", data=b"\xff\xfe\x00bad", headers={"Content-Type": "application/json"})
    assert response.status == 400
    response = await client.post("/api/chat", data="message=hi", headers={"Content-Type": "text/plain"})
    assert response.status == 415 and "application/json" in (await response.json())["error"]


async def test_huge_body_is_refused_cleanly(client: TestClient) -> None:
    response = await client.post(
        "/api/chat",
        data=json.dumps({"sender": SENDER, "message": "假" * 100_000}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413 and "太长" in (await response.json())["error"]


async def test_rasa_down_is_a_503_with_a_chinese_message(client: TestClient) -> None:
    response = await post_chat(client, {"sender": SENDER, "message": "贵州企业海外维权找谁"})
    assert response.status == 503
    assert "暂时无法回答" in (await response.json())["error"]


async def test_clause_api_returns_the_cited_clause_with_its_plan(client: TestClient) -> None:
    response = await client.get("/api/clauses/guizhou/17")
    data = await response.json()
    assert response.status == 200 and data["title"] == "加强海外知识产权维权援助服务"
    assert data["agencies"][0] == {"name": "省商务厅", "role": "牵头单位"}
    assert data["document"]["status"] == "征求意见稿"
    task = await (await client.get("/api/clauses/yunnan/task-57")).json()
    assert task["deadline"] == "2021年12月底前完成" and task["agencies"] == [] and task["no_agency"] is False
    yunnan = await (await client.get("/api/clauses/yunnan/14")).json()
    assert yunnan["no_agency"] is True


@pytest.mark.parametrize(
    "path", ["/api/clauses/guizhou/99", "/api/clauses/zhejiang/1", "/api/clauses/..%2F..%2Fetc", "/api/clauses/<b>/1"]
)
async def test_unknown_clause_is_a_404(client: TestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404 and "error" in await response.json()


async def test_info_lists_the_plans_with_status_and_dates(client: TestClient) -> None:
    data = await (await client.get("/api/info")).json()
    assert [p["region"] for p in data["plans"]] == [
        "贵州省",
        "云南省",
        "山西省忻州市保德县",
        "西藏自治区",
        "广西壮族自治区",
    ]
    assert data["plans"][2]["dated"] == "2020年12月29日" and data["plans"][0]["status"] == "征求意见稿"
    assert data["max_message_chars"] == 500


async def test_page_widget_and_security_headers(client: TestClient) -> None:
    page = await client.get("/")
    html = await page.text()
    assert page.status == 200 and 'src="/widget.js"' in html and "仅供参考，不构成法律意见" in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    script = await client.get("/widget.js")
    assert script.status == 200 and script.content_type == "application/javascript"
    assert "textContent" in await script.text() and "innerHTML" not in await script.text()
    assert (await client.get("/widget-demo")).status == 200
    assert (await client.get("/static/chat.css")).status == 200
    assert (await client.get("/static/../app.py")).status in (403, 404)


async def test_cors_only_for_configured_origins(client: TestClient) -> None:
    allowed = await client.options(
        "/api/chat", headers={"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert allowed.status == 204 and allowed.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    other = await client.options("/api/chat", headers={"Origin": "https://evil.example.com"})
    assert other.status == 403 and "Access-Control-Allow-Origin" not in other.headers
    refused = await post_chat(
        client, {"sender": SENDER, "message": "你好"}, headers={"Origin": "https://evil.example.com"}
    )
    assert refused.status == 403 and "Access-Control-Allow-Origin" not in refused.headers
    from_partner = await post_chat(client, {"sender": SENDER, "message": ""}, headers={"Origin": WIDGET_ORIGIN})
    assert from_partner.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN


async def test_unknown_paths_and_methods(client: TestClient) -> None:
    missing = await client.get("/api/nothing")
    assert missing.status == 404 and "没有找到" in (await missing.json())["error"]
    wrong = await client.get("/api/chat")
    assert wrong.status == 405
    assert (await (await client.get("/healthz")).json()) == {"status": "ok"}


async def test_rate_limit_per_client(aiohttp_client, gateway_settings) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from bot.gateway.app import create_app

    client = await aiohttp_client(create_app(dataclasses.replace(gateway_settings, rate_per_minute=6, rate_burst=3)))
    statuses = [(await post_chat(client, {"sender": SENDER, "message": "你好"})).status for _ in range(3)]
    assert statuses == [503, 503, 503]  # the burst goes through to (the closed) Rasa
    limited = await post_chat(client, {"sender": SENDER, "message": "你好"})
    assert limited.status == 429 and "请求过于频繁" in (await limited.json())["error"]
    assert int(limited.headers["Retry-After"]) >= 1


def test_token_bucket_refills() -> None:
    from bot.gateway.ratelimit import RateLimiter

    limiter = RateLimiter(rate_per_minute=60, burst=2)
    assert [limiter.allow("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert limiter.allow("b", now=0.0) == 0.0  # per client
    assert limiter.allow("a", now=1.0) == 0.0  # one token per second came back
    assert RateLimiter(0, 1).allow("a") == 0.0  # off


async def test_a_reason_after_no_help_is_one_of_the_fixed_choices_for_the_latest_no_help(
    client: TestClient, gateway_settings: Settings
) -> None:
    engine = make_engine(gateway_settings.database_url)
    ensure_tables(engine)
    record_feedback(engine, f"web-{SENDER}", True, ["guizhou/17"], "贵州企业海外维权找谁")
    assert (await client.post("/api/feedback-reason", json={"sender": SENDER, "reason": "wrong"})).status == 404
    record_feedback(engine, f"web-{SENDER}", False, ["guizhou/17"], "贵州企业海外维权找谁")
    for body, status in (
        ({"sender": SENDER, "reason": "我自己写的理由"}, 400),  # nothing typed is stored
        ({"sender": SENDER[:-1] + "x", "reason": "wrong"}, 400),  # a forged conversation id
        ({"sender": SENDER, "reason": ["wrong"]}, 400),
        ({"sender": SENDER, "reason": "wrong"}, 204),
        ({"sender": SENDER, "reason": "other"}, 404),  # the 没用 has its reason already
    ):
        response = await client.post("/api/feedback-reason", json=body)
        assert response.status == status, (body, await response.text())
    with Session(engine) as session:
        mine = select(Feedback).where(Feedback.conversation_id == f"web-{SENDER}").order_by(Feedback.id)
        assert [(f.positive, f.reason) for f in session.scalars(mine)] == [
            (True, None),
            (False, "wrong"),
        ]
    info = await (await client.get("/api/info")).json()
    assert info["feedback_reasons"][0] == {"id": "unanswered", "title": "没回答我的问题"}
    engine.dispose()


async def test_the_page_offers_the_examples_the_greeting_offers(client: TestClient) -> None:
    from bot.answers.examples import EXAMPLES

    info = await (await client.get("/api/info")).json()
    assert info["examples"] == list(EXAMPLES) and "贵州企业海外维权找谁？" in info["examples"]
    widget = widget_source()
    assert not any(example in widget for example in EXAMPLES)  # not written a second time in the page
