"""/wecom as WeCom calls it, first with WeCom's own published sample (``callback/Sample.py`` of the official
weworkapi_python: Token, EncodingAESKey, CorpID, a URL verification and an encrypted message), so the crypto is
shown to interoperate; then signatures, freshness, replays, bodies, retries, options and "继续"."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.channel_settings import WeComConfig
from bot.gateway.channels import keys
from bot.gateway.channels.base import STILL_WORKING, TEXT_ONLY
from bot.gateway.channels.wecom import create_wecom_app
from bot.gateway.rasa_client import RasaPool
from bot.gateway.wechat.crypto import WeChatCrypto
from bot.gateway.wechat.messages import parse_xml
from bot.gateway.wechat.signature import sign
from tests.gateway.channels.conftest import Clock, RasaStub

# WeCom's published sample values (weworkapi_python, callback/Sample.py).
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP_ID = "ww1436e0e65a779aee"
VERIFY = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
}
VERIFY_PLAIN = "1288432023552776189"
MESSAGE = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
}
MESSAGE_BODY = (
    "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCka"
    "Onwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+Nc"
    "T3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pF"
    "rdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPD"
    "GOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
)
CONFIG = WeComConfig(corp_id=CORP_ID, token=TOKEN, encoding_aes_key=AES_KEY, agent_id="1000002")
CRYPTO = WeChatCrypto(AES_KEY, CORP_ID)
XML = {"Content-Type": "text/xml"}


@pytest.fixture()
async def wecom(aiohttp_client: Any, rasa_pool: RasaPool, clock: Clock) -> TestClient:
    app = create_wecom_app(CONFIG, rasa_pool)
    app[keys.CLOCK] = clock
    return await aiohttp_client(app)


def message_xml(content: str, msg_id: str, user: str = "zhangsan", msg_type: str = "text", **extra: str) -> str:
    fields = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in extra.items())
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID>{fields}</xml>"
    )


def encrypted(inner: str, timestamp: int | None = None, nonce: str = "") -> tuple[dict[str, str], str]:
    """What WeCom posts: the query with msg_signature over the ciphertext, and the envelope."""
    ts, nonce = str(int(time.time()) if timestamp is None else timestamp), nonce or secrets.token_hex(5)
    cipher = CRYPTO.encrypt(inner)
    query = {"msg_signature": sign(TOKEN, ts, nonce, cipher), "timestamp": ts, "nonce": nonce}
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>"
    return query, body


async def post(client: TestClient, inner: str) -> dict[str, str]:
    query, body = encrypted(inner)
    response = await client.post("/", params=query, data=body, headers=XML)
    assert response.status == 200, await response.text()
    envelope = parse_xml(await response.text())
    assert envelope["MsgSignature"] == sign(TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    return parse_xml(CRYPTO.decrypt(envelope["Encrypt"]))


async def test_url_verification_with_wecoms_published_sample(wecom: TestClient, clock: Clock) -> None:
    clock.now = 1476416373
    response = await wecom.get("/", params=VERIFY)
    assert response.status == 200 and await response.text() == VERIFY_PLAIN


async def test_wecoms_published_sample_message_is_decrypted_and_answered(
    wecom: TestClient, rasa_stub: RasaStub, clock: Clock
) -> None:
    clock.now = 1476422779
    response = await wecom.post("/", params=MESSAGE, data=MESSAGE_BODY, headers=XML)
    assert response.status == 200
    envelope = parse_xml(await response.text())
    assert envelope["MsgSignature"] == sign(TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    reply = parse_xml(CRYPTO.decrypt(envelope["Encrypt"]))
    assert reply["ToUserName"] == "ChenJiaShun" and reply["FromUserName"] == CORP_ID and reply["MsgType"] == "text"
    assert reply["Content"].startswith("答：你好\n牵头单位：省商务厅")
    # One conversation per WeCom user of this corp; the channel travels to Rasa (and so into a handoff case).
    assert rasa_stub.received == [
        {
            "sender": f"wecom-{CORP_ID}-ChenJiaShun",
            "message": "你好",
            "metadata": {"channel": "wecom", "reply_to": {"user": "ChenJiaShun"}},
            "input_channel": "wecom",
        }
    ]


async def test_reply_renders_sources_and_numbered_options_and_a_number_chooses(
    wecom: TestClient, rasa_stub: RasaStub
) -> None:
    reply = await post(wecom, message_xml("贵州企业海外维权找谁", "2001"))
    assert reply["Content"] == (
        "答：贵州企业海外维权找谁\n牵头单位：省商务厅\n\n依据：贵州省 第17条\n\n"
        "回复数字选择：\n1. 查看原文\n2. 看看云南\n3. 转人工"
    )
    await post(wecom, message_xml("１", "2002"))  # a full-width digit chooses too
    await post(wecom, message_xml("3", "2003"))
    assert rasa_stub.messages[1:] == ['/show_clause{"ref": "guizhou/17"}', "/human_handoff"]


async def test_long_answers_continue(wecom: TestClient) -> None:
    first = (await post(wecom, message_xml("长", "3001")))["Content"]
    assert first.endswith("回复“继续”查看剩余部分）") and len(first) <= CONFIG.reply_chars + 30
    parts, number = [first], 3002
    while "回复“继续”" in parts[-1]:
        parts.append((await post(wecom, message_xml("继续", str(number))))["Content"])
        number += 1
    assert "第30段" in parts[-1] and parts[-1].endswith("依据：贵州省 第17条")
    assert (await post(wecom, message_xml("继续", str(number))))["Content"] == "没有更多内容了。请继续提问。"


async def test_retries_of_one_msg_id_reach_rasa_once(wecom: TestClient, rasa_stub: RasaStub) -> None:
    inner = message_xml("西藏驰名商标有奖励吗", "4001")
    replies = [await post(wecom, inner) for _ in range(3)]  # WeCom retries with new timestamps and nonces
    assert len({r["Content"] for r in replies}) == 1 and rasa_stub.messages == ["西藏驰名商标有奖励吗"]


async def test_a_slow_answer_is_parked_for_continue(aiohttp_client: Any, rasa_pool: RasaPool) -> None:
    client = await aiohttp_client(create_wecom_app(dataclasses.replace(CONFIG, deadline=0.3), rasa_pool))
    assert (await post(client, message_xml("慢", "5001")))["Content"] == STILL_WORKING
    await asyncio.sleep(1.2)
    assert (await post(client, message_xml("继续", "5002")))["Content"].startswith("答：慢")


async def test_enter_agent_greets_other_events_get_no_reply_other_types_are_asked_for_text(
    wecom: TestClient, rasa_stub: RasaStub
) -> None:
    enter = message_xml("", "", msg_type="event", Event="enter_agent").replace("<MsgId></MsgId>", "")
    welcome = (await post(wecom, enter))["Content"]
    assert "知识产权维权助手" in welcome and "隐私说明" in welcome and "180天" in welcome
    assert rasa_stub.messages == ["/greet"]
    query, body = encrypted(message_xml("", "", msg_type="event", Event="click").replace("<MsgId></MsgId>", ""))
    response = await wecom.post("/", params=query, data=body, headers=XML)
    assert response.status == 200 and await response.text() == ""
    assert (await post(wecom, message_xml("", "6001", msg_type="image")))["Content"] == TEXT_ONLY
    assert rasa_stub.messages == ["/greet"]


@pytest.mark.parametrize("tamper", ["msg_signature", "timestamp", "nonce"])
async def test_bad_signatures_are_refused(wecom: TestClient, tamper: str, clock: Clock) -> None:
    query, body = encrypted(message_xml("你好", "7001"))
    query[tamper] = query[tamper][:-1] + ("0" if query[tamper][-1] != "0" else "1")
    assert (await wecom.post("/", params=query, data=body, headers=XML)).status == 403
    clock.now = 1476416373
    verify = {**VERIFY, tamper: VERIFY[tamper][:-1] + "9"}
    assert (await wecom.get("/", params=verify)).status == 403


async def test_missing_signature_and_stale_timestamps_are_refused(wecom: TestClient) -> None:
    _, body = encrypted(message_xml("你好", "7101"))
    assert (await wecom.post("/", data=body, headers=XML)).status == 403
    stale_query, stale_body = encrypted(message_xml("你好", "7102"), timestamp=int(time.time()) - 301)
    assert (await wecom.post("/", params=stale_query, data=stale_body, headers=XML)).status == 403
    assert (await wecom.get("/", params=VERIFY)).status == 403  # the sample's 2016 timestamp, today


async def test_a_signed_request_replayed_with_another_message_is_refused(
    wecom: TestClient, rasa_stub: RasaStub
) -> None:
    query, body = encrypted(message_xml("你好", "7201"), nonce="fixed-nonce")
    assert (await wecom.post("/", params=query, data=body, headers=XML)).status == 200
    other_query, other_body = encrypted(
        message_xml("贵州", "7202"), timestamp=int(query["timestamp"]), nonce="fixed-nonce"
    )
    assert (await wecom.post("/", params=other_query, data=other_body, headers=XML)).status == 403
    assert rasa_stub.messages == ["你好"]


@pytest.mark.parametrize(
    "inner",
    [
        "not xml",
        "<xml><ToUserName>x</ToUserName>",
        "<xml><MsgType>text</MsgType></xml>",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
    ],
    ids=["not-xml", "truncated", "no-sender", "entity"],
)
async def test_malformed_messages_are_400(wecom: TestClient, inner: str) -> None:
    query, body = encrypted(inner)
    assert (await wecom.post("/", params=query, data=body, headers=XML)).status == 400


async def test_malformed_envelopes_other_corps_and_oversized_bodies(wecom: TestClient) -> None:
    query, _ = encrypted(message_xml("你好", "7301"))
    for body in (b"<xml><Encrypt></Encrypt></xml>", b"\xff\xfe", b"<xml><Encrypt>!!notbase64</Encrypt></xml>"):
        assert (await wecom.post("/", params=query, data=body, headers=XML)).status in (400, 403)
    ts, nonce = str(int(time.time())), "n-other-corp"
    other = WeChatCrypto(AES_KEY, "ww_other_corp").encrypt(message_xml("你好", "7302"))
    signed = {"msg_signature": sign(TOKEN, ts, nonce, other), "timestamp": ts, "nonce": nonce}
    body = f"<xml><Encrypt><![CDATA[{other}]]></Encrypt></xml>"
    assert (await wecom.post("/", params=signed, data=body, headers=XML)).status == 400  # receiver id ≠ CorpID
    query, _ = encrypted(message_xml("你好", "7303"))
    assert (await wecom.post("/", params=query, data=b"<xml>" + b"a" * 20000, headers=XML)).status == 413


async def test_a_message_for_another_agent_is_refused(wecom: TestClient) -> None:
    inner = message_xml("你好", "7401").replace("<AgentID>1000002</AgentID>", "<AgentID>1000099</AgentID>")
    query, body = encrypted(inner)
    assert (await wecom.post("/", params=query, data=body, headers=XML)).status == 403


async def test_a_non_ascii_signature_is_refused_not_an_error(wecom: TestClient) -> None:
    query, body = encrypted(message_xml("你好", "7501"))
    for name in ("msg_signature", "timestamp", "nonce"):
        response = await wecom.post("/", params={**query, name: "签名"}, data=body, headers=XML)
        assert response.status == 403
