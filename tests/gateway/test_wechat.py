"""/wechat as WeChat calls it: server verification, signatures, XML safety, retries, message types, safe mode.

Rasa is down in these tests (a closed port): a text message is answered with the polite "unavailable" text, which
is enough to check the protocol. Answers from the real assistant are in tests/e2e/test_gateway_stack.py.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.app import WECHAT, create_app
from bot.gateway.channels import text
from bot.gateway.channels.base import Reply, choose_option
from bot.gateway.channels.wording import TEXT_ONLY, UNAVAILABLE
from bot.gateway.rasa_client import BotMessage, Button
from bot.gateway.wechat.crypto import WeChatCrypto, WeChatCryptoError
from bot.gateway.wechat.sessions import UserState
from bot.gateway.wechat.signature import sign
from bot.settings import Settings
from tests.gateway.conftest import AES_KEY, APP_ID, WECHAT_TOKEN
from tests.gateway.wechat_support import encrypted_request, event_xml, reply_fields, signed_query, text_xml

XML = {"Content-Type": "text/xml"}


async def test_server_verification_echoes_echostr(client: TestClient) -> None:
    response = await client.get("/wechat", params=signed_query(WECHAT_TOKEN, echostr="8523967412"))
    assert response.status == 200 and await response.text() == "8523967412"


@pytest.mark.parametrize("tamper", ["signature", "timestamp", "nonce"])
async def test_bad_signature_is_403(client: TestClient, tamper: str) -> None:
    query = signed_query(WECHAT_TOKEN, echostr="x")
    query[tamper] = query[tamper] + "0"
    assert (await client.get("/wechat", params=query)).status == 403
    assert (await client.post("/wechat", params=query, data=text_xml("你好", "1"), headers=XML)).status == 403


async def test_missing_signature_is_403(client: TestClient) -> None:
    assert (await client.get("/wechat", params={"echostr": "x"})).status == 403
    assert (await client.post("/wechat", data=text_xml("你好", "1"), headers=XML)).status == 403


async def test_text_message_gets_a_passive_reply_with_swapped_addresses(client: TestClient) -> None:
    response = await client.post(
        "/wechat", params=signed_query(WECHAT_TOKEN), data=text_xml("贵州企业海外维权找谁", "10001"), headers=XML
    )
    fields = reply_fields(await response.text())
    assert response.status == 200 and response.content_type == "application/xml"
    assert fields["ToUserName"] == "oUser-openid-123" and fields["FromUserName"] == "gh_account"
    assert fields["MsgType"] == "text" and fields["Content"] == UNAVAILABLE
    assert abs(int(fields["CreateTime"]) - time.time()) < 60


@pytest.mark.parametrize(
    "body",
    [
        "<xml><ToUserName>a</ToUserName>",
        "not xml at all",
        "<xml></xml>",
        "<root><MsgType>text</MsgType></root>",
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    ],
    ids=["truncated", "not-xml", "empty", "wrong-root", "entity-bomb", "external-entity"],
)
async def test_malformed_and_hostile_xml_is_rejected(client: TestClient, body: str) -> None:
    response = await client.post("/wechat", params=signed_query(WECHAT_TOKEN), data=body, headers=XML)
    assert response.status == 400 and "root:" not in await response.text()


async def test_invalid_utf8_and_oversized_bodies(client: TestClient) -> None:
    bad = await client.post("/wechat", params=signed_query(WECHAT_TOKEN), data=b"<xml>\xff\xfe</xml>", headers=XML)
    assert bad.status == 400
    huge = await client.post(
        "/wechat", params=signed_query(WECHAT_TOKEN), data="<xml>" + "a" * 40_000 + "</xml>", headers=XML
    )
    assert huge.status == 413


async def test_replayed_msg_id_is_answered_once(client: TestClient) -> None:
    query = signed_query(WECHAT_TOKEN)
    replies = [
        await (await client.post("/wechat", params=query, data=text_xml("商标被抢注了", "55501"), headers=XML)).text()
        for _ in range(3)
    ]
    assert len({reply_fields(r)["Content"] for r in replies}) == 1
    assert client.app[WECHAT].produced == 1  # one piece of work for three deliveries


@pytest.mark.parametrize("kind", ["image", "voice", "video", "shortvideo", "location", "link", "unknowntype"])
async def test_other_message_types_get_a_polite_request_for_text(client: TestClient, kind: str) -> None:
    body = (
        f"<xml><ToUserName>gh_account</ToUserName><FromUserName>oUser</FromUserName><CreateTime>1</CreateTime>"
        f"<MsgType>{kind}</MsgType><MsgId>7{len(kind)}</MsgId></xml>"
    )
    response = await client.post("/wechat", params=signed_query(WECHAT_TOKEN), data=body, headers=XML)
    assert reply_fields(await response.text())["Content"] == TEXT_ONLY


async def test_events_other_than_subscribe_need_no_reply(client: TestClient) -> None:
    response = await client.post(
        "/wechat", params=signed_query(WECHAT_TOKEN), data=event_xml("unsubscribe"), headers=XML
    )
    assert response.status == 200 and await response.text() == "success"


async def test_safe_mode_round_trip_through_the_endpoint(safe_client: TestClient) -> None:
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    query, body = encrypted_request(WECHAT_TOKEN, crypto, text_xml("你好", "90001"))
    response = await safe_client.post("/wechat", params=query, data=body, headers=XML)
    envelope = reply_fields(await response.text())
    assert envelope["MsgSignature"] == sign(WECHAT_TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    inner = reply_fields(crypto.decrypt(envelope["Encrypt"]))
    assert inner["ToUserName"] == "oUser-openid-123" and inner["Content"] == UNAVAILABLE


async def test_safe_mode_rejects_a_bad_msg_signature_and_a_foreign_app_id(safe_client: TestClient) -> None:
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    query, body = encrypted_request(WECHAT_TOKEN, crypto, text_xml("你好", "90002"))
    query["msg_signature"] = "0" * 40
    assert (await safe_client.post("/wechat", params=query, data=body, headers=XML)).status == 403
    other_app = WeChatCrypto(AES_KEY, "wx_other_app")
    query, body = encrypted_request(WECHAT_TOKEN, other_app, text_xml("你好", "90003"))
    assert (await safe_client.post("/wechat", params=query, data=body, headers=XML)).status == 400


async def test_not_configured_is_503(aiohttp_client: Any, kb_settings: Settings) -> None:
    client = await aiohttp_client(create_app(dataclasses.replace(kb_settings, wechat_token="")))
    assert (await client.get("/wechat", params={"echostr": "1"})).status == 503


def test_crypto_rejects_tampering() -> None:
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    encrypted = crypto.encrypt("<xml><Content>测试</Content></xml>")
    assert crypto.decrypt(encrypted) == "<xml><Content>测试</Content></xml>"
    with pytest.raises(WeChatCryptoError):
        crypto.decrypt(encrypted[:-8] + "AAAAAAA=")
    with pytest.raises(WeChatCryptoError):
        crypto.decrypt("not base64!!")
    with pytest.raises(WeChatCryptoError):
        WeChatCrypto("short", APP_ID)


def test_buttons_become_numbered_options_and_long_text_is_split() -> None:
    state = UserState()
    shown = text.render(
        Reply.of(
            [BotMessage("答复正文", (Button("查看原文", "查看贵州第17条原文"), Button("转人工", "/human_handoff")))]
        ),
        state,
        600,
    )
    assert shown.endswith("回复数字选择：\n1. 查看原文\n2. 转人工") and [
        choose_option(number, state.options) for number in ("1", "2")
    ] == [
        "查看贵州第17条原文",
        "/human_handoff",
    ]
    parts = text.split("\n".join(["一二三四五六七八九十" * 5] * 40), 600)
    assert all(len(p) <= 600 for p in parts) and len(parts) > 1
    assert text.first_with_more(parts).endswith("回复“继续”查看剩余部分）")


async def test_two_gateway_replicas_sharing_redis_answer_a_msg_id_once(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    from tests.support.redis import temporary_redis

    with temporary_redis() as port:
        settings = dataclasses.replace(gateway_settings, redis_url=f"redis://127.0.0.1:{port}/0")
        first, second = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
        xml = text_xml("商标被抢注了", "77001", user="oShared")
        replies = []
        for client in (first, second, first, second):  # WeChat's retries landing on either replica
            response = await client.post("/wechat", params=signed_query(WECHAT_TOKEN), data=xml, headers=XML)
            replies.append(reply_fields(await response.text())["Content"])
        assert len(set(replies)) == 1
        assert first.app[WECHAT].produced + second.app[WECHAT].produced == 1
        # Per-user state is shared too: "继续" on the other replica sees what the first one stored.
        await second.app[WECHAT].save_user("wechat-oShared", UserState(pending=["第二部分"], options=[]))
        more = await first.post(
            "/wechat", params=signed_query(WECHAT_TOKEN), data=text_xml("继续", "77002", "oShared"), headers=XML
        )
        assert reply_fields(await more.text())["Content"] == "第二部分"
