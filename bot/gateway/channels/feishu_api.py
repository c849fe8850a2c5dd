"""The part of Feishu's open API the bot uses: a tenant_access_token, kept and refreshed, and sending messages.

- ``POST /open-apis/auth/v3/tenant_access_token/internal {"app_id", "app_secret"}`` → ``{"code": 0,
  "tenant_access_token": "t-…", "expire": 7200}`` (seconds). The token is reused until 30 minutes before it
  expires (Feishu hands out a new one in that last half hour), and fetched again at once when an API call says it
  is invalid (codes 99991661, 99991663, 99991668), then the call is retried once.
- ``POST /open-apis/im/v1/messages/{message_id}/reply {"msg_type", "content"}`` answers a user's message (in a group
  it quotes the question), ``POST /open-apis/im/v1/messages?receive_id_type=chat_id {"receive_id", "msg_type",
  "content"}`` writes into a chat (the answer to a card button); ``receive_id_type=open_id`` to a person (an operator's
reply to a 转人工 case). ``content`` is a JSON string.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
MESSAGES_PATH = "/open-apis/im/v1/messages"
INVALID_TOKEN = {99991661, 99991663, 99991668}
REFRESH_BEFORE = 1800.0  # seconds before expiry


class FeishuApiError(RuntimeError):
    pass


class FeishuApi:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base: str,
        app_id: str,
        app_secret: str,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
    ) -> None:
        self._session, self._base = session, base.rstrip("/")
        self._app_id, self._app_secret = app_id, app_secret
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token, self._valid_until = "", 0.0
        self._lock = asyncio.Lock()

    async def token(self, refresh: bool = False) -> str:
        async with self._lock:  # one fetch however many replies wait for it
            if refresh or not self._token or self._clock() >= self._valid_until:
                data = await self._post(TOKEN_PATH, {"app_id": self._app_id, "app_secret": self._app_secret})
                token, expire = data.get("tenant_access_token"), data.get("expire")
                if data.get("code") != 0 or not isinstance(token, str) or not isinstance(expire, int | float):
                    raise FeishuApiError(f"tenant_access_token refused: code {data.get('code')}")
                self._token = token
                self._valid_until = self._clock() + max(0.0, float(expire) - min(REFRESH_BEFORE, float(expire) / 2))
            return self._token

    async def reply(self, message_id: str, msg_type: str, content: str) -> dict[str, Any]:
        path = f"{MESSAGES_PATH}/{urllib.parse.quote(message_id, safe='')}/reply"  # one path segment, always
        return await self._call(path, {"msg_type": msg_type, "content": content})

    async def send_to_chat(self, chat_id: str, msg_type: str, content: str) -> dict[str, Any]:
        body = {"receive_id": chat_id, "msg_type": msg_type, "content": content}
        return await self._call(f"{MESSAGES_PATH}?receive_id_type=chat_id", body)

    async def send_to_user(self, open_id: str, msg_type: str, content: str) -> dict[str, Any]:
        body = {"receive_id": open_id, "msg_type": msg_type, "content": content}
        return await self._call(f"{MESSAGES_PATH}?receive_id_type=open_id", body)

    async def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        data = await self._post(path, body, await self.token())
        if data.get("code") in INVALID_TOKEN:
            log.info("Feishu said the tenant_access_token is invalid: fetching a new one")
            data = await self._post(path, body, await self.token(refresh=True))
        if data.get("code") != 0:
            raise FeishuApiError(f"Feishu API {path.split('?')[0]}: code {data.get('code')}")
        return data

    async def _post(self, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self._session.post(self._base + path, json=body, headers=headers, timeout=self._timeout) as r:
                data = await r.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise FeishuApiError(f"Feishu API {path.split('?')[0]}: {type(error).__name__}") from error
        if not isinstance(data, dict):
            raise FeishuApiError(f"Feishu API {path.split('?')[0]}: not a JSON object")
        return data
