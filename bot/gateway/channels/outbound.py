"""Messages the gateway sends on its own (not as the answer to a callback): an operator's reply to a 转人工 case.

Each platform's message API, as documented by the platform, with its access token kept until shortly before it
expires and fetched again once when the platform says it is invalid:

- 公众号 客服消息: ``GET /cgi-bin/token?grant_type=client_credential&appid&secret``, then ``POST
  /cgi-bin/message/custom/send?access_token=…`` ``{"touser", "msgtype": "text", "text": {"content"}}`` (only within 48
  hours of the user's last message: WeChat answers 45015 after that, and the user reads the reply with 查询).
- 企业微信 应用消息: ``GET /cgi-bin/gettoken?corpid&corpsecret``, then ``POST /cgi-bin/message/send?access_token=…``
  ``{"touser", "msgtype": "text", "agentid", "text": {"content"}}``.
- 钉钉 robot: ``POST /v1.0/oauth2/accessToken {"appKey", "appSecret"}``, then with ``x-acs-dingtalk-access-token``
  ``POST /v1.0/robot/oToMessages/batchSend`` ``{"robotCode", "userIds", "msgKey": "sampleText", "msgParam"}`` to a
  person, or ``POST /v1.0/robot/groupMessages/send`` with ``openConversationId`` into the group it was asked in.
- 飞书 IM: ``feishu_api.FeishuApi`` (to the user's open_id, or into the group chat).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp

from bot.gateway.channels.feishu_api import FeishuApi, FeishuApiError

log = logging.getLogger(__name__)

REFRESH_BEFORE = 300.0  # seconds before a token's stated expiry
WECHAT_INVALID_TOKEN = {40001, 40014, 42001}  # 公众号 and 企业微信 alike
TOKEN_HEADER = "x-acs-dingtalk-access-token"


class DeliveryError(RuntimeError):
    """The platform did not take the message; the text (no secrets) is shown to operators."""


class Outbound(Protocol):
    async def send(self, reply_to: dict[str, str], text: str) -> None: ...


class _Token:
    """One access token, fetched by ``fetch`` (→ token, seconds valid), shared by every send; one fetch at a time."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]], clock: Callable[[], float]) -> None:
        self._fetch, self._clock = fetch, clock
        self._value, self._until = "", 0.0
        self._lock = asyncio.Lock()

    async def get(self, refresh: bool = False) -> str:
        async with self._lock:
            if refresh or not self._value or self._clock() >= self._until:
                value, seconds = await self._fetch()
                self._value, self._until = value, self._clock() + max(0.0, seconds - min(REFRESH_BEFORE, seconds / 2))
            return self._value


class _Http:
    def __init__(self, session: aiohttp.ClientSession, base: str, name: str, timeout: float) -> None:
        self.session, self.base, self.name = session, base.rstrip("/"), name
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        try:
            async with self.session.request(
                method, self.base + path, params=params, json=body, headers=headers, timeout=self.timeout
            ) as response:
                data = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise DeliveryError(f"{self.name}接口不可用（{type(error).__name__}）") from error
        if not isinstance(data, dict):
            raise DeliveryError(f"{self.name}接口返回的不是JSON对象")
        return status, data


class _WeChatFamily:
    """公众号 and 企业微信 share the shape: a token in the query, ``errcode`` 0 on success."""

    name = ""
    send_path = ""

    def __init__(self, http: _Http, clock: Callable[[], float]) -> None:
        self._http = http
        self._token = _Token(self._fetch_token, clock)

    async def _fetch_token(self) -> tuple[str, float]:
        raise NotImplementedError

    def _body(self, reply_to: dict[str, str], text: str) -> dict[str, Any]:
        raise NotImplementedError

    async def send(self, reply_to: dict[str, str], text: str) -> None:
        body = self._body(reply_to, text)
        _, data = await self._http.call(
            "POST", self.send_path, params={"access_token": await self._token.get()}, body=body
        )
        if data.get("errcode") in WECHAT_INVALID_TOKEN:
            log.info("%s said the access token is invalid: fetching a new one", self.name)
            token = await self._token.get(refresh=True)
            _, data = await self._http.call("POST", self.send_path, params={"access_token": token}, body=body)
        if data.get("errcode", 0) != 0:
            raise DeliveryError(f"{self.name}拒绝发送：errcode {data.get('errcode')}")

    def _token_from(self, data: dict[str, Any]) -> tuple[str, float]:
        token, seconds = data.get("access_token"), data.get("expires_in")
        if data.get("errcode", 0) != 0 or not isinstance(token, str) or not isinstance(seconds, int | float):
            raise DeliveryError(f"{self.name}未发放access_token：errcode {data.get('errcode')}")
        return token, float(seconds)


class WeChatOutbound(_WeChatFamily):
    name = "公众号"
    send_path = "/cgi-bin/message/custom/send"

    def __init__(self, http: _Http, app_id: str, app_secret: str, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(http, clock)
        self._app_id, self._app_secret = app_id, app_secret

    async def _fetch_token(self) -> tuple[str, float]:
        params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._app_secret}
        _, data = await self._http.call("GET", "/cgi-bin/token", params=params)
        return self._token_from(data)

    def _body(self, reply_to: dict[str, str], text: str) -> dict[str, Any]:
        return {"touser": reply_to["user"], "msgtype": "text", "text": {"content": text}}


class WeComOutbound(_WeChatFamily):
    name = "企业微信"
    send_path = "/cgi-bin/message/send"

    def __init__(
        self, http: _Http, corp_id: str, secret: str, agent_id: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(http, clock)
        self._corp_id, self._secret, self._agent_id = corp_id, secret, agent_id

    async def _fetch_token(self) -> tuple[str, float]:
        _, data = await self._http.call(
            "GET", "/cgi-bin/gettoken", params={"corpid": self._corp_id, "corpsecret": self._secret}
        )
        return self._token_from(data)

    def _body(self, reply_to: dict[str, str], text: str) -> dict[str, Any]:
        return {
            "touser": reply_to["user"],
            "msgtype": "text",
            "agentid": int(self._agent_id),
            "text": {"content": text},
        }


class DingTalkOutbound:
    name = "钉钉"

    def __init__(self, http: _Http, app_key: str, app_secret: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._http, self._app_key, self._app_secret = http, app_key, app_secret
        self._token = _Token(self._fetch_token, clock)

    async def _fetch_token(self) -> tuple[str, float]:
        body = {"appKey": self._app_key, "appSecret": self._app_secret}
        status, data = await self._http.call("POST", "/v1.0/oauth2/accessToken", body=body)
        token, seconds = data.get("accessToken"), data.get("expireIn")
        if status != 200 or not isinstance(token, str) or not isinstance(seconds, int | float):
            raise DeliveryError(f"钉钉未发放accessToken：{data.get('code') or status}")
        return token, float(seconds)

    async def send(self, reply_to: dict[str, str], text: str) -> None:
        message: dict[str, Any] = {
            "robotCode": self._app_key,
            "msgKey": "sampleText",
            "msgParam": json.dumps({"content": text}, ensure_ascii=False),
        }
        if reply_to.get("chat"):  # asked in a group: answered in that group
            path, body = "/v1.0/robot/groupMessages/send", {**message, "openConversationId": reply_to["chat"]}
        else:
            path, body = "/v1.0/robot/oToMessages/batchSend", {**message, "userIds": [reply_to["user"]]}
        status, data = await self._http.call("POST", path, body=body, headers={TOKEN_HEADER: await self._token.get()})
        if status == 401:  # the token expired early: once more with a new one
            token = await self._token.get(refresh=True)
            status, data = await self._http.call("POST", path, body=body, headers={TOKEN_HEADER: token})
        if status != 200:
            raise DeliveryError(f"钉钉拒绝发送：{data.get('code') or status}")


class FeishuOutbound:
    name = "飞书"

    def __init__(self, api: FeishuApi) -> None:
        self._api = api

    async def send(self, reply_to: dict[str, str], text: str) -> None:
        content = json.dumps({"text": text}, ensure_ascii=False)
        try:
            if reply_to.get("chat"):
                await self._api.send_to_chat(reply_to["chat"], "text", content)
            else:
                await self._api.send_to_user(reply_to["user"], "text", content)
        except FeishuApiError as error:
            raise DeliveryError(f"飞书拒绝发送：{error}") from error


def http_client(session: aiohttp.ClientSession, base: str, name: str, timeout: float = 10.0) -> _Http:
    return _Http(session, base, name, timeout)
