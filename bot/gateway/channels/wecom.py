"""企业微信 (WeCom) self-built application callback: ``/wecom``.

As WeCom's 接收消息 documentation specifies it:

- GET ``msg_signature, timestamp, nonce, echostr``: the signature covers the encrypted ``echostr``; the answer is its
  plaintext (URL verification when the administrator saves the callback settings).
- POST the same query and ``<xml><ToUserName>CorpID</ToUserName><AgentID/><Encrypt/></xml>``: the signature covers
  ``Encrypt``; the plaintext is the message XML, encrypted with the EncodingAESKey and ending in the CorpID, which is
  checked (``WeChatCrypto`` with the CorpID as receiver id).
- The answer is a passive reply, encrypted and signed the same way, within 5 s; WeCom retries three times
  otherwise, so every ``MsgId`` (events: FromUserName + CreateTime) is answered once, and a slow answer is parked
  for "继续". Text replies carry at most 2048 bytes: long answers are cut ("回复“继续”…"), buttons become numbered
  options.

Refused before any handler runs (the guard): a bad signature (403), a timestamp more than 300 s from now (403), a
signed (timestamp, nonce) reused for another message (403). Malformed bodies are 400, bodies over 16 KiB 413.
"""

from __future__ import annotations

import logging
import secrets
import time

from aiohttp import web

from bot.channel_settings import WeComConfig
from bot.gateway import keys as gateway_keys
from bot.gateway.channels import keys
from bot.gateway.channels.base import (
    WELCOME_PAYLOAD,
    Asker,
    Dialogue,
    Handler,
    Turn,
    conversation_id,
    fresh,
    read_body,
)
from bot.gateway.channels.text import render
from bot.gateway.wechat import signature
from bot.gateway.wechat.crypto import WeChatCrypto, WeChatCryptoError
from bot.gateway.wechat.messages import BadMessage, cdata, encrypted_envelope, parse_xml
from bot.gateway.wechat.sessions import MemorySessions, WeChatSessions
from bot.settings import Settings
from bot.store.privacy import privacy_notice

log = logging.getLogger(__name__)

PLATFORM = "wecom"
MAX_BODY = 16 * 1024
WINDOW = 300  # seconds of clock difference accepted, as for the 公众号
MEMORY = 2 * WINDOW  # seconds a (timestamp, nonce) and a delivery are remembered: the whole accepted window
CONFIG = web.AppKey("wecom_config", WeComConfig)
CRYPTO = web.AppKey("wecom_crypto", WeChatCrypto)


def create_wecom_app(
    config: WeComConfig, rasa: Asker | None = None, sessions: WeChatSessions | None = None, max_message_chars: int = 500
) -> web.Application:
    """The /wecom sub-application; ``rasa`` None uses the gateway's Rasa pool, ``sessions`` None keeps state here."""
    app = web.Application(middlewares=[guard])
    app[CONFIG] = config
    app[CRYPTO] = WeChatCrypto(config.encoding_aes_key, config.corp_id)  # a bad key stops the start, not a request
    app[keys.DIALOGUE] = Dialogue(PLATFORM, sessions or MemorySessions(), rasa, max_message_chars, MEMORY)
    app[keys.CLOCK] = time.time
    app.router.add_get("", verify)
    app.router.add_post("", receive)
    return app


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Signed and fresh, or no handler runs. The body's signature (over ``Encrypt``) is checked by ``receive``."""
    q = request.query
    if not all(q.get(name, "").isascii() and q.get(name) for name in ("msg_signature", "timestamp", "nonce")):
        raise web.HTTPForbidden(text="missing signature")  # non-ASCII would not even compare (hmac.compare_digest)
    if not fresh(q["timestamp"], request.app[keys.CLOCK](), WINDOW):
        log.warning("WeCom request refused: timestamp more than %d s from now", WINDOW)
        raise web.HTTPForbidden(text="stale timestamp")
    return await handler(request)


def _signed(request: web.Request, encrypted: str) -> bool:
    q = request.query
    token = request.app[CONFIG].token
    return signature.check(token, q["msg_signature"], q["timestamp"], q["nonce"], encrypted)


async def verify(request: web.Request) -> web.Response:
    echostr = request.query.get("echostr", "")
    if not _signed(request, echostr):
        raise web.HTTPForbidden(text="invalid msg_signature")
    try:
        plain = request.app[CRYPTO].decrypt(echostr)
    except WeChatCryptoError as error:
        raise web.HTTPBadRequest(text="bad echostr") from error
    return web.Response(text=plain, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    config, crypto = request.app[CONFIG], request.app[CRYPTO]
    body = await read_body(request, MAX_BODY)
    try:
        envelope = parse_xml(body.decode("utf-8"))
        encrypted = envelope.get("Encrypt", "")
        if not encrypted:
            raise BadMessage("no Encrypt")
        if not _signed(request, encrypted):
            raise web.HTTPForbidden(text="invalid msg_signature")
        fields = parse_xml(crypto.decrypt(encrypted))
        user, msg_type = fields["FromUserName"].strip(), fields["MsgType"].strip().lower()
    except (UnicodeDecodeError, BadMessage, WeChatCryptoError, KeyError) as error:
        log.info("rejected WeCom body: %s", type(error).__name__)
        raise web.HTTPBadRequest(text="bad message") from error
    if not user or fields.get("ToUserName", config.corp_id) != config.corp_id:
        raise web.HTTPBadRequest(text="bad message")
    if config.agent_id and fields.get("AgentID", "").strip() != config.agent_id:
        raise web.HTTPForbidden(text="message for another application")
    event = fields.get("Event", "").strip().lower()
    delivery = (
        f"{user}:{fields['MsgId'].strip()}"
        if fields.get("MsgId", "").strip()
        else (f"{user}:{fields.get('CreateTime', '')}:{event or msg_type}")
    )
    q = request.query
    dialogue = request.app[keys.DIALOGUE]
    if not await dialogue.sessions.bind_nonce(f"{q['timestamp']}:{q['nonce'][:64]}", delivery, MEMORY):
        log.warning("WeCom request refused: nonce already used for another message")
        raise web.HTTPForbidden(text="nonce already used")

    if msg_type == "event" and event != "enter_agent":
        return web.Response(text="")  # other events need no reply (an empty body is WeCom's "no reply")
    turn = Turn(
        conversation=conversation_id(PLATFORM, config.corp_id, user),
        text=WELCOME_PAYLOAD if msg_type == "event" else fields.get("Content", ""),
        delivery=delivery,
        is_text=msg_type in ("text", "event"),
        reply_to=(("user", user),),
    )
    limit = config.reply_chars
    content = await dialogue.answer(
        request, turn, lambda outcome, state: render(outcome, state, limit), config.deadline
    )
    if msg_type == "event":  # the welcome says what we keep, and how long (as the 公众号's does)
        settings = request.config_dict.get(gateway_keys.SETTINGS)
        content += "\n\n" + privacy_notice(settings.retention_days if settings else Settings.retention_days)
    reply = (
        f"<xml><ToUserName>{cdata(user)}</ToUserName><FromUserName>{cdata(config.corp_id)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    encrypted_reply = crypto.encrypt(reply)
    envelope_xml = encrypted_envelope(
        encrypted_reply, signature.sign(config.token, timestamp, nonce, encrypted_reply), timestamp, nonce
    )
    return web.Response(text=envelope_xml, content_type="application/xml")
