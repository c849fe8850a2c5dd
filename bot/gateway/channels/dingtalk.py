"""钉钉 (DingTalk) enterprise-internal robot (企业内部机器人), HTTP mode: ``/dingtalk``.

As DingTalk's 机器人接收消息 documentation specifies it: DingTalk POSTs JSON to the robot's message URL for every
single-chat message and every group message that @-mentions the robot, with headers ``timestamp`` (ms) and ``sign``
= Base64(HMAC-SHA256(AppSecret, timestamp + "\\n" + AppSecret)). A request is refused (403) unless the sign matches
and the timestamp is within one hour of now (DingTalk's own rule). The sign does not cover the body, so a signed
(timestamp, sign) pair is good for one request body only: 403 when it comes back with any other body (another
``msgId``, sender, conversation or text), remembered for the whole two hours in which its timestamp passes; every
``msgId`` is answered once.

The reply is synchronous, in the HTTP response: ``text``, ``markdown`` (an answer with its sources) or an
``actionCard`` whose buttons send their title back as the user's message (``dtmd://dingtalkclient/sendMessage``), which
the gateway maps to the button's payload; a number ("@机器人 2") chooses an option too — in a group the robot only hears
messages that @-mention it. One conversation per user in single chat, per (group, user) in a group.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from typing import Any

from aiohttp import web

from bot.channel_settings import DingTalkConfig
from bot.gateway.channels import keys
from bot.gateway.channels.base import (
    Asker,
    Dialogue,
    Handler,
    Notice,
    Outcome,
    Turn,
    conversation_id,
    fresh,
    option,
    read_body,
)
from bot.gateway.channels.crypto import dingtalk_check
from bot.gateway.middleware import safe_dumps
from bot.gateway.wechat.replay import body_tag
from bot.gateway.wechat.sessions import MemorySessions, UserState, WeChatSessions

log = logging.getLogger(__name__)

PLATFORM = "dingtalk"
MAX_BODY = 32 * 1024
WINDOW = 3600  # seconds: "timestamp 与系统当前时间戳如果相差1小时以上，则认为是非法的请求"
MEMORY = 2 * WINDOW  # a signed pair passes from an hour before its timestamp to an hour after: remembered that long
TITLE = "知识产权维权助手"
SEND_MESSAGE = "dtmd://dingtalkclient/sendMessage?content="
GROUP_HINT = "（群聊中请 @我 并回复选项序号或名称）"
CONFIG = web.AppKey("dingtalk_config", DingTalkConfig)


def create_dingtalk_app(
    config: DingTalkConfig,
    rasa: Asker | None = None,
    sessions: WeChatSessions | None = None,
    max_message_chars: int = 500,
) -> web.Application:
    app = web.Application(middlewares=[guard])
    app[CONFIG] = config
    app[keys.DIALOGUE] = Dialogue(
        PLATFORM, sessions or MemorySessions(), rasa, max_message_chars, MEMORY, first_notice=True
    )
    app[keys.CLOCK] = time.time
    app.router.add_post("", receive)
    return app


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    timestamp, sign = request.headers.get("timestamp", ""), request.headers.get("sign", "")
    if not dingtalk_check(request.app[CONFIG].app_secret, timestamp, sign):
        raise web.HTTPForbidden(text="invalid sign")
    if not fresh(timestamp, request.app[keys.CLOCK](), WINDOW, per_second=1000):
        log.warning("DingTalk request refused: timestamp more than an hour from now")
        raise web.HTTPForbidden(text="stale timestamp")
    return await handler(request)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


async def receive(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    body = await read_body(request, MAX_BODY)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise web.HTTPBadRequest(text="bad message") from error
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="bad message")
    msg_id, user = _text(data.get("msgId")), _text(data.get("senderStaffId")) or _text(data.get("senderId"))
    chat_type, chat = _text(data.get("conversationType")), _text(data.get("conversationId"))
    if not msg_id or not user or chat_type not in ("1", "2") or (chat_type == "2" and not chat):
        raise web.HTTPBadRequest(text="bad message")
    if config.app_key and _text(data.get("robotCode")) != config.app_key:
        raise web.HTTPForbidden(text="message for another robot")
    dialogue = request.app[keys.DIALOGUE]
    pair = f"{request.headers['timestamp']}:{request.headers['sign'][:64]}"
    if not await dialogue.sessions.bind_nonce(pair, body_tag(body), MEMORY):
        log.warning("DingTalk request refused: signed timestamp already used for another request body")
        raise web.HTTPForbidden(text="sign already used")

    group = chat_type == "2"
    text = data.get("text")
    content = _text(text.get("content")) if isinstance(text, dict) else ""
    turn = Turn(
        conversation=conversation_id(PLATFORM, chat, user) if group else conversation_id(PLATFORM, user),
        text=content,
        delivery=f"{chat or user}:{msg_id}",
        is_text=_text(data.get("msgtype")) == "text",
        reply_to=(("user", user), ("chat", chat)) if group else (("user", user),),
    )
    answer = await dialogue.answer(request, turn, lambda outcome, state: render(outcome, state, group))
    return web.Response(text=answer, content_type="application/json")


def render(outcome: Outcome, state: UserState, group: bool = False) -> str:
    """DingTalk's reply JSON: text for notices, markdown for answers, an actionCard when there are buttons."""
    if isinstance(outcome, Notice):
        return _dumps({"msgtype": "text", "text": {"content": outcome.text}})
    markdown = "\n\n".join(_markdown_lines(text) for text in outcome.texts)
    if outcome.sources:
        markdown += f"\n\n> {outcome.sources}"
    state.options = [option(b.title, b.payload) for b in outcome.buttons]
    if not outcome.buttons:
        return _dumps({"msgtype": "markdown", "markdown": {"title": TITLE, "text": markdown}})
    if group:
        listed = "  \n".join(f"{n}. {b.title}" for n, b in enumerate(outcome.buttons, start=1))
        markdown += f"\n\n{listed}\n\n{GROUP_HINT}"
    buttons = [
        {"title": b.title, "actionURL": SEND_MESSAGE + urllib.parse.quote(b.title, safe="")} for b in outcome.buttons
    ]
    return _dumps(
        {
            "msgtype": "actionCard",
            "actionCard": {"title": TITLE, "text": markdown, "btnOrientation": "0", "btns": buttons},
        }
    )


def _markdown_lines(text: str) -> str:
    """Plain text as DingTalk markdown: each line its own line (a single newline would join them)."""
    return "  \n".join(line for line in text.split("\n"))


def _dumps(data: object) -> str:
    return safe_dumps(data)  # <, >, & as \u escapes: no response body carries markup, whatever the user typed
