"""飞书 (Feishu/Lark) bot event subscription: ``/feishu``.

As Feishu's 事件订阅 documentation specifies it:

- URL verification: ``{"type": "url_verification", "challenge", "token"}`` (inside ``{"encrypt": …}`` when an Encrypt
  Key is set) → ``{"challenge"}`` when the token is the Verification Token.
- Events (schema 2.0): with an Encrypt Key, the body is ``{"encrypt": Base64(IV + AES-256-CBC(SHA-256(key)))}`` and
  signed: ``X-Lark-Signature`` = SHA-256(``X-Lark-Request-Timestamp`` + ``X-Lark-Request-Nonce`` + key + raw body),
  checked with a 300 s window and one message per (timestamp, nonce); ``header.token`` must be the Verification
  Token in every case. With an Encrypt Key configured, unencrypted events are refused.
- ``im.message.receive_v1``: p2p messages, and group messages that @-mention the bot (the ``@_user_1`` keys are
  removed from the text); ``card.action.trigger``: a click on a button of our cards (its ``value`` carries the
  payload). Each ``event_id`` is handled once — Feishu re-delivers when it gets no 200 within 3 s.

The HTTP answer is immediate (``{}``); the reply is written afterwards through the open API (``feishu_api.py``) as
an interactive card: the answer, a note with its sources, and buttons. One conversation per user in p2p, per
(group, user) in a group.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from bot.channel_settings import ChannelConfigError, FeishuConfig
from bot.gateway.channels import keys
from bot.gateway.channels.base import (
    Asker,
    Dialogue,
    Notice,
    Outcome,
    Turn,
    conversation_id,
    fresh,
    option,
    read_body,
)
from bot.gateway.channels.crypto import ChannelCryptoError, FeishuCipher, feishu_check
from bot.gateway.channels.feishu_api import FeishuApi, FeishuApiError
from bot.gateway.middleware import safe_dumps
from bot.gateway.wechat.sessions import MemorySessions, UserState, WeChatSessions

log = logging.getLogger(__name__)

PLATFORM = "feishu"
MAX_BODY = 64 * 1024
CONCURRENT_REPLIES = 4  # answers being produced at once; the others wait their turn (Rasa is not flooded)
MAX_PENDING = 200  # beyond this many waiting answers, events are refused (429) and Feishu delivers them again
WINDOW = 300
MEMORY = 2 * WINDOW  # seconds a (timestamp, nonce) and an event are remembered: the whole accepted window
TITLE = "知识产权维权助手"
CONFIG = web.AppKey("feishu_config", FeishuConfig)
API = web.AppKey("feishu_api", FeishuApi)
SLOTS = web.AppKey("feishu_reply_slots", asyncio.Semaphore)
# The card's colour says what kind of reply it is (the reply contract's ``kind``); the words stay the assistant's.
TEMPLATES = {"answer": "blue", "limit": "orange", "not_covered": "orange", "handoff": "green", "clarify": "wathet"}
RECEIVED = {"toast": {"type": "info", "content": "已收到，正在查询…"}}
# Feishu's ids (om_…, oc_…, ou_…): a message id goes into an open-API path, so nothing else may pass (a forged
# "../../../../open-apis/im/v1/chats?…" once made the gateway post an answer, with its token, to another path).
FEISHU_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
UNSIGNED = (
    "飞书未设置 FEISHU_ENCRYPT_KEY：事件没有签名，只凭 Verification Token 校验。请在 事件与回调 → 加密策略 中设置"
    " Encrypt Key；确需无签名运行（仅限测试）时设置 FEISHU_ALLOW_UNSIGNED=1。"
)


def create_feishu_app(
    config: FeishuConfig,
    rasa: Asker | None = None,
    sessions: WeChatSessions | None = None,
    max_message_chars: int = 500,
) -> web.Application:
    if not config.encrypt_key:
        if not config.allow_unsigned:
            raise ChannelConfigError(UNSIGNED)
        log.warning("FEISHU EVENTS ARE UNSIGNED (FEISHU_ALLOW_UNSIGNED=1): anyone with the token can post events")
    app = web.Application()
    app[CONFIG] = config
    app[keys.DIALOGUE] = Dialogue(
        PLATFORM, sessions or MemorySessions(), rasa, max_message_chars, MEMORY, first_notice=True
    )
    app[keys.CLOCK] = time.time
    app[keys.TASKS] = set()
    app[SLOTS] = asyncio.Semaphore(CONCURRENT_REPLIES)
    app.cleanup_ctx.append(_api)
    app.router.add_post("", receive)
    return app


async def _api(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    async with aiohttp.ClientSession() as session:
        app[API] = FeishuApi(session, config.api_base, config.app_id, config.app_secret)
        yield
        tasks = app[keys.TASKS]
        pending = list(tasks)
        for task in pending:  # replies still being written when the gateway stops
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def _bad(text: str = "bad message") -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=text)


async def receive(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    raw = await read_body(request, MAX_BODY)
    data = _json(raw)
    encrypted = "encrypt" in data
    if encrypted:
        if not config.encrypt_key or not isinstance(data["encrypt"], str):
            raise _bad()
        try:
            data = _json(FeishuCipher(config.encrypt_key).decrypt(data["encrypt"]).encode("utf-8"))
        except ChannelCryptoError as error:
            raise _bad() from error
    if data.get("type") == "url_verification":
        if config.encrypt_key and not encrypted:
            raise web.HTTPForbidden(text="encryption required")  # with a key, Feishu sends the challenge encrypted
        if not _token_ok(data.get("token"), config) or not isinstance(data.get("challenge"), str):
            raise web.HTTPForbidden(text="invalid token")
        return web.json_response({"challenge": data["challenge"]}, dumps=safe_dumps)

    header = data.get("header")
    if not isinstance(header, dict) or data.get("schema") != "2.0":
        raise _bad()
    if config.encrypt_key:
        _check_signature(request, raw, encrypted)
    if not _token_ok(header.get("token"), config):
        raise web.HTTPForbidden(text="invalid token")
    event_id, event = header.get("event_id"), data.get("event")
    if not isinstance(event_id, str) or not event_id or not isinstance(event, dict):
        raise _bad()
    dialogue = request.app[keys.DIALOGUE]
    if config.encrypt_key:
        pair = f"{request.headers['X-Lark-Request-Timestamp']}:{request.headers['X-Lark-Request-Nonce'][:64]}"
        if not await dialogue.sessions.bind_nonce(pair, event_id, MEMORY):
            raise web.HTTPForbidden(text="nonce already used")
    event_type = header.get("event_type")
    job = _message_job(event) if event_type == "im.message.receive_v1" else None
    if event_type == "card.action.trigger":
        job = _card_job(event)
    if job is not None and len(request.app[keys.TASKS]) >= MAX_PENDING:
        log.warning("Feishu event deferred: %d answers already waiting", MAX_PENDING)
        raise web.HTTPTooManyRequests(text="busy")  # not claimed: Feishu's re-delivery will be answered
    if job is None or not await dialogue.first_delivery(f"event:{event_id}"):
        return web.json_response({})  # not for us, or a re-delivery of an event already handled
    task = asyncio.ensure_future(_reply(request, job))
    request.app[keys.TASKS].add(task)
    task.add_done_callback(request.app[keys.TASKS].discard)
    return web.json_response(RECEIVED if event_type == "card.action.trigger" else {})


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _bad() from error
    if not isinstance(data, dict):
        raise _bad()
    return data


def _token_ok(token: object, config: FeishuConfig) -> bool:
    return isinstance(token, str) and hmac.compare_digest(token.encode(), config.verification_token.encode())


def _check_signature(request: web.Request, raw: bytes, encrypted: bool) -> None:
    h = request.headers
    timestamp, nonce = h.get("X-Lark-Request-Timestamp", ""), h.get("X-Lark-Request-Nonce", "")
    if not encrypted:
        raise web.HTTPForbidden(text="encryption required")
    if not feishu_check(timestamp, nonce, request.app[CONFIG].encrypt_key, raw, h.get("X-Lark-Signature", "")):
        raise web.HTTPForbidden(text="invalid signature")
    if not fresh(timestamp, request.app[keys.CLOCK](), WINDOW):
        raise web.HTTPForbidden(text="stale timestamp")


def _field(data: object, *path: str) -> str:
    for name in path:
        data = data.get(name) if isinstance(data, dict) else None
    return data if isinstance(data, str) else ""


class Job:
    """What to answer and where: the user's turn, and the message to reply to or the chat to write into."""

    def __init__(self, turn: Turn, group: bool, message_id: str = "", chat_id: str = "") -> None:
        self.turn, self.group, self.message_id, self.chat_id = turn, group, message_id, chat_id


def _message_job(event: dict[str, Any]) -> Job | None:
    message = event.get("message")
    user = _field(event, "sender", "sender_id", "open_id")
    if not isinstance(message, dict) or not user or _field(event, "sender", "sender_type") not in ("user", ""):
        return None
    chat_type, chat_id, message_id = (
        _field(message, "chat_type"),
        _field(message, "chat_id"),
        _field(message, "message_id"),
    )
    if not all(FEISHU_ID.fullmatch(value) for value in (user, message_id, *([chat_id] if chat_id else []))):
        return None
    group = chat_type == "group"
    raw_mentions = message.get("mentions")
    mentions: list[Any] = raw_mentions if isinstance(raw_mentions, list) else []
    if not message_id or (group and (not chat_id or not mentions)):
        return None  # in a group, only messages that @-mention the bot are for it
    text, is_text = "", _field(message, "message_type") == "text"
    if is_text:
        try:
            content = json.loads(_field(message, "content") or "{}")
        except ValueError:
            content = {}
        text = content.get("text", "") if isinstance(content, dict) and isinstance(content.get("text"), str) else ""
        for mention in mentions:
            key = _field(mention, "key")
            if key:
                text = text.replace(key, " ")
    conversation = conversation_id(PLATFORM, chat_id, user) if group else conversation_id(PLATFORM, user)
    reply_to = (("user", user), ("chat", chat_id)) if group else (("user", user),)
    turn = Turn(conversation, text.strip(), f"message:{message_id}", is_text, reply_to=reply_to)
    return Job(turn, group, message_id=message_id)


def _card_job(event: dict[str, Any]) -> Job | None:
    user, chat_id = _field(event, "operator", "open_id"), _field(event, "context", "open_chat_id")
    value = _field(event, "action", "value", "payload")
    if not FEISHU_ID.fullmatch(user) or not FEISHU_ID.fullmatch(chat_id) or not value:
        return None
    group = _field(event, "action", "value", "chat") == "group"
    conversation = conversation_id(PLATFORM, chat_id, user) if group else conversation_id(PLATFORM, user)
    reply_to = (("user", user), ("chat", chat_id)) if group else (("user", user),)
    delivery = f"card:{_field(event, 'context', 'open_message_id')}:{value}"
    turn = Turn(conversation, "", delivery, payload=value[:500], reply_to=reply_to)
    return Job(turn, group, chat_id=chat_id)


async def _reply(request: web.Request, job: Job) -> None:
    dialogue, api = request.app[keys.DIALOGUE], request.app[API]
    async with request.app[SLOTS]:
        body = json.loads(await dialogue.respond(request, job.turn, lambda o, s: render(o, s, job.group)))
    try:
        if job.message_id:
            await api.reply(job.message_id, body["msg_type"], body["content"])
        else:
            await api.send_to_chat(job.chat_id, body["msg_type"], body["content"])
    except FeishuApiError as error:
        log.warning("could not send a Feishu reply: %s", error)


def render(outcome: Outcome, state: UserState, group: bool = False) -> str:
    """``{"msg_type", "content"}``: a text message for notices, an interactive card for answers."""
    if isinstance(outcome, Notice):
        return json.dumps({"msg_type": "text", "content": json.dumps({"text": outcome.text}, ensure_ascii=False)})
    elements: list[dict[str, Any]] = [
        {"tag": "div", "text": {"tag": "plain_text", "content": t}} for t in outcome.texts
    ]
    if outcome.sources:
        elements.append({"tag": "note", "elements": [{"tag": "plain_text", "content": outcome.sources}]})
    if outcome.buttons:
        chat = "group" if group else "p2p"
        actions = [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": b.title},
                "type": "primary" if n == 0 else "default",
                "value": {"payload": b.payload, "chat": chat},
            }
            for n, b in enumerate(outcome.buttons)
        ]
        elements.append({"tag": "action", "actions": actions})
    state.options = [option(b.title, b.payload) for b in outcome.buttons]  # typing a title or number works too
    card = {
        "config": {"wide_screen_mode": True},
        "header": {"template": TEMPLATES.get(outcome.kind, "blue"), "title": {"tag": "plain_text", "content": TITLE}},
        "elements": elements,
    }
    return json.dumps({"msg_type": "interactive", "content": json.dumps(card, ensure_ascii=False)})
