"""The /wechat endpoint: GET verifies the server (echoes ``echostr``), POST answers messages with a passive reply.

The sub-application's guard (``guard``) checks every request before a handler runs: the channel is configured
(503), the signature is valid (403) and the timestamp is within 300 s of now (403, ``replay.py``). Bodies are small
(WeChat's messages are), parsed safely; a malformed or hostile body is a 400. With an AES key configured only safe
mode (``encrypt_type=aes``) is accepted: the message is verified with ``msg_signature`` (which, unlike the plain
signature, covers the body), decrypted, and the reply encrypted the same way. A nonce is good for one message
(403 when it comes back with another), messages are de-duplicated per (FromUserName, MsgId), and each WeChat user
is rate-limited (a polite reply, never an error WeChat would retry).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import unicodedata
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.gateway import keys
from bot.gateway.rasa_client import RasaUnavailable
from bot.gateway.wechat import formatting, replay, signature
from bot.gateway.wechat.crypto import WeChatCrypto, WeChatCryptoError
from bot.gateway.wechat.messages import BadMessage, Incoming, encrypted_envelope, parse_incoming, parse_xml, text_reply
from bot.gateway.wechat.sessions import UserState, WeChatSessions
from bot.store.privacy import privacy_notice

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024
CONTINUE_WORDS = {"继续", "继续。", "更多", "下一页"}
WELCOME_PAYLOAD = "/greet"
TEXT_ONLY = "您好，我目前只能阅读文字消息。请用文字描述您遇到的知识产权问题，例如：“商标被人抢注了怎么办”。"
NOTHING_MORE = "没有更多内容了。请继续提问。"
UNAVAILABLE = "抱歉，助手暂时无法回答，请稍后再试。"
STILL_WORKING = "正在为您查询，请稍后回复“继续”获取答案。"
TOO_FAST = "您发送消息太频繁了，请稍等一分钟再发。"
MAX_OPTION_DIGITS = 2  # at most 9 options: "1"…"9" (a longer number is ordinary text)
_PARKING: set[asyncio.Task[None]] = set()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /wechat request: channel configured, signature valid, timestamp fresh — or no handler runs."""
    token = request.config_dict[keys.SETTINGS].wechat_token
    if not token:
        return web.Response(status=503, text="WeChat channel not configured")
    q = request.query
    if not signature.check(token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", "")):
        return web.Response(status=403, text="invalid signature")
    if not replay.fresh(q.get("timestamp", "")):
        log.warning("WeChat request refused: timestamp more than %d s from now", replay.WINDOW)
        return web.Response(status=403, text="stale timestamp")
    return await handler(request)


async def verify(request: web.Request) -> web.Response:
    return web.Response(text=request.query.get("echostr", ""), content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    settings = request.config_dict[keys.SETTINGS]
    if settings.wechat_aes_key and request.query.get("encrypt_type") != "aes":
        # The plain signature does not cover the body: with a key configured, plain messages are not trusted.
        return web.Response(status=403, text="safe mode required")
    if (request.content_length or 0) > MAX_BODY:
        return web.Response(status=413, text="body too large")
    try:
        body = (await request.read())[: MAX_BODY + 1]
        if len(body) > MAX_BODY:
            return web.Response(status=413, text="body too large")
        xml = body.decode("utf-8")
        crypto = None
        if request.query.get("encrypt_type") == "aes":
            crypto = WeChatCrypto(settings.wechat_aes_key, settings.wechat_app_id) if settings.wechat_aes_key else None
            if crypto is None:
                return web.Response(status=400, text="safe mode not configured")
            encrypted = parse_xml(xml).get("Encrypt", "")
            q = request.query
            if not signature.check(
                settings.wechat_token, q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), encrypted
            ):
                return web.Response(status=403, text="invalid msg_signature")
            xml = crypto.decrypt(encrypted)
        incoming = parse_incoming(xml)
    except (UnicodeDecodeError, BadMessage, WeChatCryptoError) as error:
        log.info("rejected WeChat body: %s", type(error).__name__)
        return web.Response(status=400, text="bad message")
    q = request.query
    once = replay.nonce_key(q.get("timestamp", ""), q.get("nonce", ""))
    bound = incoming.dedupe_key if crypto is not None else replay.body_tag(body)  # plain: the body is not signed
    if not await request.config_dict[keys.WECHAT].bind_nonce(once, bound):
        log.warning("WeChat request refused: nonce already used for another message")
        return web.Response(status=403, text="nonce already used")

    answer = await _answer(request, incoming)
    if answer is None:
        return web.Response(text="success")
    if incoming.msg_type == "event" and incoming.event == "subscribe":
        answer += "\n\n" + privacy_notice(settings.retention_days)  # the welcome says what we keep, how long
    reply = text_reply(incoming, answer)
    if crypto is not None:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        encrypted_reply = crypto.encrypt(reply)
        reply = encrypted_envelope(
            encrypted_reply, signature.sign(settings.wechat_token, timestamp, nonce, encrypted_reply), timestamp, nonce
        )
    return web.Response(text=reply, content_type="application/xml")


async def _answer(request: web.Request, incoming: Incoming) -> str | None:
    """The reply text, or None for messages that need none (unsubscribe, other events)."""
    settings = request.config_dict[keys.SETTINGS]
    sessions = request.config_dict[keys.WECHAT]
    if incoming.msg_type == "event":
        if incoming.event != "subscribe":
            return None
        message = WELCOME_PAYLOAD
    elif incoming.msg_type != "text":
        return TEXT_ONLY
    else:
        message = incoming.content.strip()
        if not message:
            return TEXT_ONLY
        number = _option_number(message)
        if message in CONTINUE_WORDS or number:
            user = await sessions.load_user(incoming.from_user)
            if message in CONTINUE_WORDS:
                if not user.pending:
                    return NOTHING_MORE
                part = user.pending.pop(0)
                await sessions.save_user(incoming.from_user, user)
                return part + (formatting.MORE if user.pending else "")
            if user.options and 1 <= number <= len(user.options):
                message = user.options[number - 1]
        message = message[: settings.max_message_chars]

    key = incoming.dedupe_key
    if not await sessions.claim(key):  # a retry (here or on another gateway): wait for the first one's answer
        return await sessions.wait_answer(key, settings.wechat_deadline) or STILL_WORKING
    if await request.config_dict[keys.WECHAT_LIMITER].check(incoming.from_user):
        await sessions.store_answer(key, TOO_FAST)  # WeChat's retries of this message get the same reply
        return TOO_FAST

    async def produce() -> str:
        answer = await _ask_rasa(request, incoming.from_user, message)
        await sessions.store_answer(key, answer)
        return answer

    task = asyncio.ensure_future(produce())
    try:
        return await asyncio.wait_for(asyncio.shield(task), timeout=settings.wechat_deadline)
    except asyncio.TimeoutError:
        # Too slow for WeChat's 5 s: say so now; the answer waits in "继续" when it is ready.
        task.add_done_callback(lambda done: _park(done, sessions, incoming.from_user))
        return STILL_WORKING


def _option_number(message: str) -> int:
    """The option a reply like "2", "２", "②" or "²" chooses (NFKC reads them all as 2); 0 for anything else."""
    digits = unicodedata.normalize("NFKC", message)
    if digits.isascii() and digits.isdigit() and len(digits) <= MAX_OPTION_DIGITS:
        return int(digits)
    return 0


def _park(task: asyncio.Task[str], sessions: WeChatSessions, open_id: str) -> None:
    if task.cancelled() or task.exception() is not None:
        return

    async def put_first() -> None:
        user = await sessions.load_user(open_id)
        user.pending.insert(0, task.result())
        await sessions.save_user(open_id, user)

    parked = asyncio.ensure_future(put_first())
    _PARKING.add(parked)  # keep a reference until done: the loop holds tasks only weakly
    parked.add_done_callback(_PARKING.discard)


async def _ask_rasa(request: web.Request, open_id: str, message: str) -> str:
    settings = request.config_dict[keys.SETTINGS]
    sessions = request.config_dict[keys.WECHAT]
    try:
        metadata = {"channel": "wechat", "reply_to": {"user": open_id}}  # 客服消息 reaches the OpenID
        replies = await request.config_dict[keys.RASA].send(f"wechat-{open_id}", message, metadata)
    except RasaUnavailable:
        return UNAVAILABLE
    text, options = formatting.render(replies)
    parts = formatting.split_for_wechat(text, settings.wechat_reply_chars)
    await sessions.save_user(open_id, UserState(pending=parts[1:], options=options))
    return formatting.first_with_more(parts)
