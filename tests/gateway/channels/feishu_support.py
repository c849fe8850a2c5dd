"""A local server implementing the Feishu open-API endpoints the bot calls, recording every request exactly."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "cli_9e28cb7ba56a100e"
APP_SECRET = "feishu-app-secret-for-tests"


@dataclass
class Recorded:
    method: str
    path_qs: str
    authorization: str
    content_type: str
    body: dict[str, Any]


@dataclass
class FeishuOpenApi:
    requests: list[Recorded] = field(default_factory=list)
    tokens_issued: int = 0
    expire: int = 7200
    reject_tokens: set[str] = field(default_factory=set)  # answered with 99991663 (token invalid)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self.token)
        app.router.add_post("/open-apis/im/v1/messages", self.send)
        app.router.add_post("/open-apis/im/v1/messages/{message_id}/reply", self.reply)
        return app

    async def _record(self, request: web.Request) -> Recorded:
        entry = Recorded(
            request.method,
            request.path_qs,
            request.headers.get("Authorization", ""),
            request.headers.get("Content-Type", ""),
            json.loads(await request.text()),
        )
        self.requests.append(entry)
        self.arrived.set()
        return entry

    async def token(self, request: web.Request) -> web.Response:
        entry = await self._record(request)
        if entry.body != {"app_id": APP_ID, "app_secret": APP_SECRET}:
            return web.json_response({"code": 10003, "msg": "invalid param"})
        self.tokens_issued += 1
        token = f"t-g10{self.tokens_issued}test"
        return web.json_response({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": self.expire})

    async def _message(self, request: web.Request) -> web.Response:
        entry = await self._record(request)
        token = entry.authorization.removeprefix("Bearer ")
        if not token.startswith("t-") or token in self.reject_tokens:
            return web.json_response({"code": 99991663, "msg": "Invalid access token for authorization."}, status=400)
        return web.json_response({"code": 0, "msg": "success", "data": {"message_id": "om_reply_1"}})

    async def send(self, request: web.Request) -> web.Response:
        return await self._message(request)

    async def reply(self, request: web.Request) -> web.Response:
        return await self._message(request)

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Recorded]:
        async def enough() -> None:
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)
        await asyncio.sleep(0.05)  # nothing more should follow
        return self.requests
