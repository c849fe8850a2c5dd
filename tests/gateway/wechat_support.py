"""Build real-format WeChat requests: signed query strings, message XML, safe-mode envelopes."""

from __future__ import annotations

import secrets
import time

from bot.gateway.wechat.crypto import WeChatCrypto
from bot.gateway.wechat.messages import parse_xml
from bot.gateway.wechat.signature import sign


def signed_query(token: str, timestamp: int | None = None, **extra: str) -> dict[str, str]:
    """A freshly signed query, as WeChat sends it: the current time and a new nonce (one nonce, one message)."""
    timestamp_text, nonce = str(int(time.time()) if timestamp is None else timestamp), secrets.token_hex(5)
    return {"signature": sign(token, timestamp_text, nonce), "timestamp": timestamp_text, "nonce": nonce, **extra}


def text_xml(content: str, msg_id: str, user: str = "oUser-openid-123", account: str = "gh_account") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{account}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, user: str = "oUser-openid-123", create_time: str = "1700000000") -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event></xml>"
    )


def encrypted_request(token: str, crypto: WeChatCrypto, xml: str) -> tuple[dict[str, str], str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    encrypted = crypto.encrypt(xml)
    query = {
        "signature": sign(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": sign(token, timestamp, nonce, encrypted),
    }
    return (
        query,
        f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>",
    )


def reply_fields(body: str) -> dict[str, str]:
    return parse_xml(body)
