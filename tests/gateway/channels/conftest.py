"""Channel sub-apps in-process, each against a stand-in for Rasa's REST webhook (a local aiohttp server answering
in Rasa's format: texts, buttons, the reply contract in the last message's ``custom``) and, for 飞书, a local
server implementing the documented open-API endpoints. Conversations with the real Rasa are in
tests/e2e/test_channels.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.gateway.rasa_client import RasaPool

LONG_LINE = "第{n}段：建立健全知识产权纠纷多元化解决机制，加强行政执法与司法衔接，完善快速维权机制。"
BUTTONS = [
    {"title": "查看原文", "payload": '/show_clause{"ref": "guizhou/17"}'},
    {"title": "看看云南", "payload": "那云南呢"},
    {"title": "转人工", "payload": "/human_handoff"},
]
CONTRACT = {
    "kind": "answer",
    "region": "guizhou",
    "topic": "overseas_assistance",
    "citations": [{"ref": "guizhou/17", "title": "贵州省 第17条"}],
}


@dataclass
class RasaStub:
    """Records what the channel sent (sender, message, metadata, input_channel) and answers like Rasa."""

    received: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    url: str = ""

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        message = body["message"]
        if message == "慢":
            await asyncio.sleep(self.delay or 1.0)
        if message == "长":
            text = "\n".join(LONG_LINE.format(n=n) for n in range(1, 31))
            return web.json_response([{"text": text}, {"custom": dict(CONTRACT)}])
        if message == "/greet":
            return web.json_response([{"text": "您好！我是知识产权维权助手。"}])
        return web.json_response(
            [{"text": f"答：{message}\n牵头单位：省商务厅", "buttons": BUTTONS}, {"custom": dict(CONTRACT)}]
        )

    @property
    def messages(self) -> list[str]:
        return [r["message"] for r in self.received]


@pytest.fixture()
async def rasa_stub() -> AsyncIterator[RasaStub]:
    stub = RasaStub()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", stub.webhook)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    stub.url = str(server.make_url("")).rstrip("/")
    yield stub
    await server.close()


@pytest.fixture()
async def rasa_pool(rasa_stub: RasaStub) -> AsyncIterator[RasaPool]:
    async with aiohttp.ClientSession() as session:
        yield RasaPool(session, [rasa_stub.url], 5.0)


class Clock:
    """The channel's clock: real time unless a test sets ``now`` (to a published sample's timestamp)."""

    def __init__(self) -> None:
        self.now: float | None = None

    def __call__(self) -> float:
        return time.time() if self.now is None else self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()
