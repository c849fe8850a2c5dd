"""An operator's reply reaches the page that waits for it (GET /api/chat/events, server-sent events): within 5 s, to
that conversation only, once, after a reconnect too; forged ids, foreign sites and floods are refused."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.gateway.app import create_app
from bot.gateway.conversations import issue
from bot.gateway.push import CHECK_SECONDS
from bot.gateway.push_feed import STREAMS_PER_CLIENT
from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store.records import ensure_tables, open_case, update_case
from tests.gateway.conftest import CONVERSATION_SECRET, WIDGET_ORIGIN

PROMISE = 5.0  # seconds from 发送答复 to the page


def a_case(settings: Settings, sender: str) -> tuple[int, str]:
    engine = make_engine(settings.database_url)
    ensure_tables(engine)
    receipt = open_case(engine, f"web-{sender}", ["展会上有人卖假货，转人工"], "贵州省", None)
    case_id = engine.connect().exec_driver_sql("select max(id) from handoff_cases").scalar_one()
    engine.dispose()
    return int(case_id), receipt.case_number


def reply(settings: Settings, case_id: int, text: str) -> None:
    engine = make_engine(settings.database_url)
    update_case(engine, case_id, "wang", "reply", text)
    engine.dispose()


async def next_event(stream: ClientResponse, timeout: float) -> dict[str, Any] | None:
    """The next ``reply`` event's fields (id, data as JSON), or None when none comes within ``timeout``."""
    fields: dict[str, Any] = {}
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while (left := end - loop.time()) > 0:
        try:
            line = (await asyncio.wait_for(stream.content.readline(), left)).decode()
        except TimeoutError:
            return None
        if line == "\n":
            if fields.get("event") == "reply":
                return fields
            fields = {}
        elif not line.startswith(":") and ": " in line:
            name, value = line.rstrip("\n").split(": ", 1)
            fields[name] = json.loads(value) if name == "data" else value
    return None


async def test_a_reply_reaches_the_waiting_page_within_5_s_and_only_that_page(
    client: TestClient, gateway_settings: Settings
) -> None:
    mine, other = issue(CONVERSATION_SECRET.encode()), issue(CONVERSATION_SECRET.encode())
    case_id, number = a_case(gateway_settings, mine)
    stream = await client.get("/api/chat/events", params={"conversation": mine})
    bystander = await client.get("/api/chat/events", params={"conversation": other})
    assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
    assert (
        stream.headers["Cache-Control"] == "no-store"
        and "default-src 'self'" in stream.headers["Content-Security-Policy"]
    )
    await asyncio.sleep(0.2)
    started = asyncio.get_running_loop().time()
    await asyncio.to_thread(reply, gateway_settings, case_id, "请带上展会照片，向省商务厅咨询。\n\ndata: 伪造")
    event = await next_event(stream, PROMISE)
    assert event is not None and asyncio.get_running_loop().time() - started < PROMISE
    # the reply's own line breaks stay inside one JSON data line: it cannot forge a second event
    assert (
        event["data"]["case"] == number and event["data"]["reply"] == "请带上展会照片，向省商务厅咨询。\n\ndata: 伪造"
    )
    assert event["id"] == event["data"]["at"]
    assert await next_event(bystander, 2.0) is None
    stream.close()
    bystander.close()


async def test_a_page_that_reconnects_gets_what_it_missed_and_nothing_twice(
    client: TestClient, gateway_settings: Settings
) -> None:
    sender = issue(CONVERSATION_SECRET.encode())
    case_id, number = a_case(gateway_settings, sender)
    await asyncio.to_thread(reply, gateway_settings, case_id, "第一次答复")
    missed = await client.get("/api/chat/events", params={"conversation": sender, "since": "0"})
    first = await next_event(missed, PROMISE)
    assert first is not None and first["data"]["reply"] == "第一次答复"
    missed.close()
    again = await client.get(
        "/api/chat/events", params={"conversation": sender}, headers={"Last-Event-ID": first["id"]}
    )
    assert await next_event(again, 2.0) is None  # seen already
    await asyncio.to_thread(reply, gateway_settings, case_id, "补充：请留意电话")
    second = await next_event(again, PROMISE)
    assert second is not None and second["data"] == {"case": number, "reply": "补充：请留意电话", "at": second["id"]}
    again.close()


async def test_forged_ids_bad_cursors_and_foreign_sites_are_refused(client: TestClient) -> None:
    sender = issue(CONVERSATION_SECRET.encode())
    forged = sender[:-1] + ("A" if sender[-1] != "A" else "B")
    for params in ({"conversation": forged}, {}, {"conversation": sender + "\n"}, {"conversation": "x" * 5000}):
        response = await client.get("/api/chat/events", params=params)
        assert response.status == 400 and "会话编号无效" in (await response.json())["error"]
    for since in ("-1", "1e9", "１２", "9" * 16):
        response = await client.get("/api/chat/events", params={"conversation": sender, "since": since})
        assert response.status == 400, since
    foreign = await client.get(
        "/api/chat/events", params={"conversation": sender}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 403 and "Access-Control-Allow-Origin" not in foreign.headers
    partner = await client.get("/api/chat/events", params={"conversation": sender}, headers={"Origin": WIDGET_ORIGIN})
    assert partner.status == 200 and partner.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    partner.close()


async def test_one_address_holds_a_bounded_number_of_streams(aiohttp_client: Any, gateway_settings: Settings) -> None:
    # the message rate limit off: this is about the streams an address may hold at once
    client = await aiohttp_client(create_app(dataclasses.replace(gateway_settings, rate_per_minute=0)))
    streams = []
    for _ in range(STREAMS_PER_CLIENT):
        stream = await client.get("/api/chat/events", params={"conversation": issue(CONVERSATION_SECRET.encode())})
        assert stream.status == 200
        streams.append(stream)
    refused = await client.get("/api/chat/events", params={"conversation": issue(CONVERSATION_SECRET.encode())})
    assert refused.status == 429 and "Retry-After" in refused.headers
    streams.pop().close()
    await asyncio.sleep(CHECK_SECONDS + 1)  # the server notices the closed stream and frees its place
    admitted = await client.get("/api/chat/events", params={"conversation": issue(CONVERSATION_SECRET.encode())})
    assert admitted.status == 200
    for stream in [*streams, admitted]:
        stream.close()
