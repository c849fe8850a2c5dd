"""Inputs that used to answer HTTP 500 now answer 4xx with a Chinese message; every error carries the security
headers (and CORS on the API, so the widget can show it); no header names the server's internals; the staff
console is served from its route only; an upload the client abandons logs one line, not a traceback."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.gateway.app import create_app
from bot.settings import Settings
from tests.gateway.conftest import SENDER, STAFF_TOKEN, WIDGET_ORIGIN
from tests.support.ports import free_port

JSON = {"Content-Type": "application/json"}


def assert_secured(response: Any) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert not response.headers.get("Server"), response.headers.get("Server")


async def test_unknown_charset_is_415_not_500(client: TestClient) -> None:
    response = await client.post(
        "/api/chat",
        data=b'{"sender": "abcdefgh", "message": "hi"}',
        headers={"Content-Type": "application/json; charset=bogus-xyz"},
    )
    assert response.status == 415 and "UTF-8" in (await response.json())["error"]


async def test_deeply_nested_json_is_400_not_500(client: TestClient) -> None:
    body = "[" * 30_000 + "]" * 30_000
    response = await client.post("/api/chat", data=body, headers=JSON)
    assert response.status == 400 and "JSON" in (await response.json())["error"]
    nested = '{"sender": "abcdefgh", "message": ' + "[" * 30_000 + "]" * 30_000 + "}"
    assert (await client.post("/api/chat", data=nested, headers=JSON)).status == 400


async def login(client: TestClient) -> None:
    response = await client.post("/staff/login", data={"token": STAFF_TOKEN}, allow_redirects=False)
    assert response.status == 303


async def test_a_thirty_digit_record_id_is_404_not_500(client: TestClient) -> None:
    await login(client)
    response = await client.post(
        "/staff/api/records/cases/" + "9" * 30 + "/handled", headers={"X-Requested-With": "ipr-staff"}
    )
    assert response.status == 404 and "没有找到" in await response.text()


async def test_a_non_ascii_staff_cookie_is_a_plain_401(client: TestClient) -> None:
    """Cookie tossing: a cookie another site planted must not make every /staff URL fail."""
    for path in ("/staff", "/staff/api/records"):
        response = await client.get(path, headers={"Cookie": "ipr_staff=caf\u00e9\u4e2d"})
        assert response.status == 401, path


@pytest.mark.parametrize(
    ("method", "path", "status", "kwargs"),
    [
        ("GET", "/no-such-page", 404, {}),
        ("GET", "/api/chat", 405, {}),
        ("POST", "/api/chat", 413, {"data": b"x" * 70_000, "headers": JSON}),
        ("POST", "/api/chat", 400, {"data": b"{", "headers": JSON}),
        ("GET", "/wechat", 403, {"params": {"signature": "x", "timestamp": "1", "nonce": "2"}}),
        ("GET", "/api/clauses/nowhere/1", 404, {}),
    ],
)
async def test_error_responses_carry_the_security_headers(
    client: TestClient, method: str, path: str, status: int, kwargs: dict[str, Any]
) -> None:
    response = await client.request(method, path, **kwargs)
    assert response.status == status
    assert_secured(response)
    assert "Traceback" not in await response.text()


async def test_api_errors_carry_cors_for_an_allowed_widget_origin(client: TestClient) -> None:
    origin = {"Origin": WIDGET_ORIGIN}
    bad = await client.post("/api/chat", data=b"{", headers={**JSON, **origin})
    assert bad.status == 400 and bad.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    empty = await client.post("/api/chat", json={"sender": SENDER, "message": " "}, headers=origin)
    assert empty.status == 400 and empty.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    other = await client.post("/api/chat", data=b"{", headers={**JSON, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


async def test_the_console_is_served_only_from_its_route(client: TestClient) -> None:
    for page in ("staff.html", "staff-login.html", "index.html", "widget-demo.html", "../app.py", "missing.css"):
        assert (await client.get(f"/static/{page}")).status == 404, page
    css = await client.get("/static/chat.css")
    assert css.status == 200 and css.content_type == "text/css"
    console = await client.get("/staff")
    assert console.headers["X-Frame-Options"] == "DENY" and console.headers["Cache-Control"] == "no-store"


async def test_no_header_discloses_internals(
    client: TestClient, aiohttp_client: Any, gateway_settings: Settings
) -> None:
    response = await client.post("/api/chat", json={"sender": SENDER, "message": "你好"})
    assert response.status == 503  # Rasa is a closed port here
    assert not {"X-Rasa-Replica", "Server-Timing"} & set(response.headers)
    assert_secured(response)
    # Tests and benchmarks may ask for them.
    diagnostic = await aiohttp_client(create_app(dataclasses.replace(gateway_settings, diagnostic_headers=True)))
    timed = await diagnostic.post("/api/chat", json={"sender": SENDER, "message": "你好"})
    assert "rasa;dur=" in timed.headers["Server-Timing"]


async def test_an_aborted_upload_logs_one_line(gateway_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    runner = web.AppRunner(create_app(gateway_settings))  # as run_app serves: handlers are not cancelled
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        with caplog.at_level(logging.INFO, logger="bot.gateway"):
            for path, kind in (
                ("/api/chat", "application/json"),
                ("/staff/login", "application/x-www-form-urlencoded"),
            ):
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\n"
                    'Content-Length: 5000\r\n\r\n{"sender"'.encode()
                )
                await writer.drain()
                await asyncio.sleep(0.2)
                writer.close()
                await asyncio.sleep(0.3)
    finally:
        await runner.cleanup()
    records = [r for r in caplog.records if r.name.startswith("bot.gateway")]
    assert [r.getMessage() for r in records] == [
        "client disconnected during POST /api/chat",
        "client disconnected during POST /staff/login",
    ]
    assert all(r.exc_info is None for r in records)
