"""微信公众号 (WeChat Official Account): ``/wechat``, a platform module on the channel layer (``base.py``).

GET verifies the server (echoes ``echostr``), POST answers messages with a passive reply. The guard checks every
request before a handler runs: the channel is configured (503), the signature is valid (403) and the timestamp is
within 300 s of now (403, ``wechat/replay.py``). Bodies are small (WeChat's messages are), parsed safely; a
malformed or hostile body is a 400. With an AES key configured only safe mode (``encrypt_type=aes``) is accepted:
the message is verified with ``msg_signature`` (which, unlike the plain signature, covers the body), decrypted, and
the reply encrypted the same way. A nonce is good for one message (403 when it comes back with another). The rest —
one answer per (FromUserName, MsgId), "继续", numbered options, the per-user rate limit (a polite reply, never an
error WeChat would retry), the 5 s deadline — is ``Dialogue``'s.
"""

from __future__ import annotations

import logging
import secrets
import time

from aiohttp import web

from bot.gateway import keys as gateway_keys
from bot.gateway.channels import keys, text
from bot.gateway.channels.base import WELCOME_PAYLOAD, Dialogue, Handler, Turn, fresh, read_body
from bot.gateway.wechat import replay, signature
from bot.gateway.wechat.crypto import WeChatCrypto, WeChatCryptoError
from bot.gateway.wechat.messages import BadMessage, Incoming, encrypted_envelope, parse_incoming, parse_xml, text_reply
from bot.gateway.wechat.sessions import MemorySessions
from bot.store.privacy import privacy_notice

log = logging.getLogger(__name__)

PLATFORM = "wechat"
MAX_BODY = 16 * 1024


def create_official_account_app() -> web.Application:
    """The /wechat sub-application. Its settings are the gateway's (``Settings.wechat_*``); its state is shared
    through Redis when the gateway has one (``app._resources``)."""
    app = web.Application(middlewares=[guard], client_max_size=MAX_BODY)
    app[keys.DIALOGUE] = Dialogue(PLATFORM, MemorySessions(), limiter=gateway_keys.WECHAT_LIMITER)
    app[keys.CLOCK] = time.time
    app.router.add_get("", verify)
    app.router.add_post("", receive)
    return app


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /wechat request: channel configured, signature valid, timestamp fresh — or no handler runs."""
    token = request.config_dict[gateway_keys.SETTINGS].wechat_token
    if not token:
        return web.Response(status=503, text="WeChat channel not configured")
    q = request.query
    if not signature.check(token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", "")):
        return web.Response(status=403, text="invalid signature")
    if not fresh(q.get("timestamp", ""), request.app[keys.CLOCK](), replay.WINDOW):
        log.warning("WeChat request refused: timestamp more than %d s from now", replay.WINDOW)
        return web.Response(status=403, text="stale timestamp")
    return await handler(request)


async def verify(request: web.Request) -> web.Response:
    return web.Response(text=request.query.get("echostr", ""), content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    settings = request.config_dict[gateway_keys.SETTINGS]
    q = request.query
    if settings.wechat_aes_key and q.get("encrypt_type") != "aes":
        # The plain signature does not cover the body: with a key configured, plain messages are not trusted.
        return web.Response(status=403, text="safe mode required")
    body = await read_body(request, MAX_BODY)
    crypto = None
    try:
        xml = body.decode("utf-8")
        if q.get("encrypt_type") == "aes":
            if not settings.wechat_aes_key:
                return web.Response(status=400, text="safe mode not configured")
            crypto = WeChatCrypto(settings.wechat_aes_key, settings.wechat_app_id)
            encrypted = parse_xml(xml).get("Encrypt", "")
            if not signature.check(
                settings.wechat_token, q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), encrypted
            ):
                return web.Response(status=403, text="invalid msg_signature")
            xml = crypto.decrypt(encrypted)
        incoming = parse_incoming(xml)
    except (UnicodeDecodeError, BadMessage, WeChatCryptoError) as error:
        log.info("rejected WeChat body: %s", type(error).__name__)
        return web.Response(status=400, text="bad message")
    dialogue = request.app[keys.DIALOGUE]
    once = replay.nonce_key(q.get("timestamp", ""), q.get("nonce", ""))
    bound = incoming.dedupe_key if crypto is not None else replay.body_tag(body)  # plain: the body is not signed
    if not await dialogue.sessions.bind_nonce(once, bound):
        log.warning("WeChat request refused: nonce already used for another message")
        return web.Response(status=403, text="nonce already used")

    subscribed = incoming.msg_type == "event" and incoming.event == "subscribe"
    if incoming.msg_type == "event" and not subscribed:
        return web.Response(text="success")  # other events (unsubscribe, menu views…) need no reply
    limit = settings.wechat_reply_chars
    answer = await dialogue.answer(
        request, _turn(incoming), lambda outcome, state: text.render(outcome, state, limit), settings.wechat_deadline
    )
    if subscribed:
        answer += "\n\n" + privacy_notice(settings.retention_days)  # the welcome says what we keep, how long
    reply = text_reply(incoming, answer)
    if crypto is not None:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        encrypted_reply = crypto.encrypt(reply)
        reply = encrypted_envelope(
            encrypted_reply, signature.sign(settings.wechat_token, timestamp, nonce, encrypted_reply), timestamp, nonce
        )
    return web.Response(text=reply, content_type="application/xml")


def _turn(incoming: Incoming) -> Turn:
    return Turn(
        conversation=f"wechat-{incoming.from_user}",
        text=WELCOME_PAYLOAD if incoming.msg_type == "event" else incoming.content,
        delivery=incoming.dedupe_key,
        is_text=incoming.msg_type in ("text", "event"),
        reply_to=(("user", incoming.from_user),),  # a 客服消息 reaches the OpenID
    )
