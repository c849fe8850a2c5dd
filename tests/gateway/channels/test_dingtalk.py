"""/dingtalk as DingTalk calls an enterprise-internal robot: headers ``timestamp`` (ms) and ``sign``, JSON body.

DingTalk's documentation gives the sign algorithm with sample code (Java and Python) but no fixed input/output
pair; ``test_sign_is_the_documented_algorithm`` follows the documented Python sample step by step.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.channel_settings import DingTalkConfig
from bot.gateway.channels import keys
from bot.gateway.channels.base import TEXT_ONLY
from bot.gateway.channels.crypto import dingtalk_check, dingtalk_sign
from bot.gateway.channels.dingtalk import GROUP_HINT, SEND_MESSAGE, create_dingtalk_app
from bot.gateway.rasa_client import RasaPool
from bot.gateway.wechat.sessions import MemorySessions, RedisSessions
from bot.store.privacy import privacy_notice
from tests.gateway.channels.conftest import Clock, RasaStub

SECRET = "this is secret"  # the documented sample's secret
CONFIG = DingTalkConfig(app_secret=SECRET, app_key="dingrobot123")
GROUP = "cidPO3SCE0ZJ+Jq/xAH4sB9dw=="  # DingTalk conversation ids carry + / =


@pytest.fixture()
async def dingtalk(aiohttp_client: Any, rasa_pool: RasaPool, clock: Clock) -> TestClient:
    app = create_dingtalk_app(CONFIG, rasa_pool)
    app[keys.CLOCK] = clock
    return await aiohttp_client(app)


_last = [0]


def headers(timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Signed headers; each call a later millisecond (the sign covers only the timestamp: one pair, one message)."""
    if timestamp is None:
        timestamp = _last[0] = max(int(time.time() * 1000), _last[0] + 1)
    ts = str(timestamp)
    return {"timestamp": ts, "sign": dingtalk_sign(secret, ts), "Content-Type": "application/json; charset=utf-8"}


def message(content: str, msg_id: str = "", group: bool = False, staff: str = "manager4220", **extra: Any) -> dict:  # type: ignore[type-arg]
    body = {
        "conversationId": GROUP if group else "cidSingle0001",
        "chatbotCorpId": "dinge8a565xxxx",
        "chatbotUserId": "$:LWCP_v1:$Cxxxxx",
        "msgId": msg_id or f"msg{secrets.token_hex(8)}",
        "senderNick": "张三",
        "isAdmin": False,
        "senderStaffId": staff,
        "createAt": int(time.time() * 1000),
        "conversationType": "2" if group else "1",
        "senderId": "$:LWCP_v1:$Ff09GIxxxxx",
        "isInAtList": True,
        "robotCode": "dingrobot123",
        "text": {"content": content},
        "msgtype": "text",
    }
    body.update(extra)
    return body


async def post(client: TestClient, body: object, hdrs: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    response = await client.post("/", data=json.dumps(body, ensure_ascii=False).encode(), headers=hdrs or headers())
    assert response.status == 200, await response.text()
    return json.loads(await response.text())


def test_sign_is_the_documented_algorithm() -> None:
    timestamp = "1577262236757"  # the documented request's timestamp header
    string_to_sign = f"{timestamp}\n{SECRET}"
    hmac_code = hmac.new(SECRET.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    assert dingtalk_sign(SECRET, timestamp) == base64.b64encode(hmac_code).decode()
    assert dingtalk_check(SECRET, timestamp, base64.b64encode(hmac_code).decode())
    assert not dingtalk_check(SECRET, timestamp, urllib.parse.quote_plus(base64.b64encode(hmac_code).decode()) + "x")


async def test_single_chat_gets_an_action_card_whose_buttons_send_their_title(
    dingtalk: TestClient, rasa_stub: RasaStub
) -> None:
    reply = await post(dingtalk, message(" 贵州企业海外维权找谁"))
    card = reply["actionCard"]
    assert reply["msgtype"] == "actionCard" and card["title"] == "知识产权维权助手"
    notice = privacy_notice(180)  # issue 20 N7: the first reply to a user says what is kept, and how long
    assert card["text"] == f"答：贵州企业海外维权找谁  \n牵头单位：省商务厅\n\n{notice}\n\n> 依据：贵州省 第17条"
    assert [b["title"] for b in card["btns"]] == ["查看原文", "看看云南", "转人工"]
    assert card["btns"][0]["actionURL"] == SEND_MESSAGE + urllib.parse.quote("查看原文")
    assert rasa_stub.received[0] == {
        "sender": "dingtalk-manager4220",
        "message": "贵州企业海外维权找谁",
        "metadata": {"channel": "dingtalk", "reply_to": {"user": "manager4220"}},
        "input_channel": "dingtalk",
    }
    second = await post(dingtalk, message("查看原文"))  # what the button sends back
    assert notice not in second["actionCard"]["text"]  # once
    await post(dingtalk, message("3"))  # a number works too
    assert rasa_stub.messages[1:] == ['/show_clause{"ref": "guizhou/17"}', "/human_handoff"]


async def test_group_mentions_are_one_conversation_per_group_and_user(
    dingtalk: TestClient, rasa_stub: RasaStub
) -> None:
    reply = await post(dingtalk, message(" 云南有海外维权吗", group=True))
    text = reply["actionCard"]["text"]
    assert "1. 查看原文  \n2. 看看云南  \n3. 转人工" in text and GROUP_HINT in text
    await post(dingtalk, message(" 2", group=True))
    await post(dingtalk, message(" 2", group=True, staff="lisi"))  # another member: no options of their own yet
    senders = [r["sender"] for r in rasa_stub.received]
    assert senders[0] == senders[1] != senders[2]
    assert all(s.startswith("dingtalk-x") and len(s) <= 64 for s in senders)  # the group id is hashed
    assert rasa_stub.messages == ["云南有海外维权吗", "那云南呢", "2"]


async def test_answers_without_buttons_are_markdown_and_other_types_are_asked_for_text(
    dingtalk: TestClient, rasa_stub: RasaStub
) -> None:
    reply = await post(dingtalk, message("长"))
    assert reply["msgtype"] == "markdown" and "第30段" in reply["markdown"]["text"]
    picture = message("", msgtype="picture")
    del picture["text"]
    assert await post(dingtalk, picture) == {"msgtype": "text", "text": {"content": TEXT_ONLY}}
    assert rasa_stub.messages == ["长"]


async def test_retries_of_one_msg_id_reach_rasa_once(dingtalk: TestClient, rasa_stub: RasaStub) -> None:
    body = message("西藏驰名商标有奖励吗", msg_id="msgRetry01")
    replies = [await post(dingtalk, body) for _ in range(3)]
    assert replies[0] == replies[1] == replies[2] and rasa_stub.messages == ["西藏驰名商标有奖励吗"]


async def test_bad_and_missing_signs_are_refused(dingtalk: TestClient, rasa_stub: RasaStub) -> None:
    body = json.dumps(message("你好")).encode()
    for hdrs in (
        headers(secret="another secret"),
        {**headers(), "sign": headers()["sign"][:-2] + "AA"},
        {"timestamp": headers()["timestamp"]},
        {},
    ):
        assert (await dingtalk.post("/", data=body, headers=hdrs)).status == 403
    assert rasa_stub.received == []


async def test_timestamps_are_fresh_within_one_hour(dingtalk: TestClient, clock: Clock) -> None:
    now = int(time.time() * 1000)
    assert (await dingtalk.post("/", data=json.dumps(message("你好")), headers=headers(now - 3_601_000))).status == 403
    assert (await dingtalk.post("/", data=json.dumps(message("你好")), headers=headers(now + 3_601_000))).status == 403
    await post(dingtalk, message("你好"), headers(now - 3_540_000))  # 59 minutes old: still DingTalk's window
    clock.now = 1577262236.757 + 60
    await post(dingtalk, message("你好"), headers(1577262236757))  # the documented timestamp, a minute later


async def test_a_signed_timestamp_replayed_with_another_message_is_refused(dingtalk: TestClient) -> None:
    hdrs = headers()
    await post(dingtalk, message("你好", msg_id="msgA"), hdrs)
    response = await dingtalk.post("/", data=json.dumps(message("贵州", msg_id="msgB")), headers=hdrs)
    assert response.status == 403


async def test_a_captured_pair_cannot_speak_for_another_sender_or_conversation(
    dingtalk: TestClient, rasa_stub: RasaStub
) -> None:
    """Issue 20 N1: one captured callback's (timestamp, sign) was replayed with the same msgId as other staff ids
    ("转人工" → a case in their name; "查询 IPR…") and other conversationIds (more cases): each was a 200."""
    hdrs = headers()
    captured = message("你好", msg_id="msgCaptured", staff="manager4220")
    await post(dingtalk, captured, hdrs)
    forgeries = [
        message("转人工", msg_id="msgCaptured", staff="victim01"),
        message("查询 IPR20261130-00001", msg_id="msgCaptured", staff="victim02"),
        *(message("转人工", msg_id="msgCaptured", group=True, conversationId=f"cidOther{n}") for n in range(3)),
        message("转人工", msg_id="msgCaptured", staff="manager4220"),  # even the same user's other text
    ]
    for body in forgeries:
        assert (await dingtalk.post("/", data=json.dumps(body), headers=hdrs)).status == 403
    again = await post(dingtalk, captured, hdrs)  # the very same request is a retry: its first answer, no new work
    assert again["actionCard"]["text"].startswith("答：你好") and rasa_stub.messages == ["你好"]


async def test_a_pair_is_remembered_for_the_whole_two_hours_its_timestamp_passes(
    aiohttp_client: Any, rasa_pool: RasaPool, clock: Clock, rasa_stub: RasaStub
) -> None:
    """Issue 20 N1: the pair was remembered 600 s while its timestamp passes for an hour either side: after 614 s the
    same pair with a new msgId was a 200. Now: first used an hour before its timestamp, refused an hour after it."""
    monotonic = [0.0]
    app = create_dingtalk_app(CONFIG, rasa_pool, MemorySessions(clock=lambda: monotonic[0]))
    app[keys.CLOCK] = clock
    client = await aiohttp_client(app)
    timestamp = int(time.time() * 1000)
    hdrs = headers(timestamp)
    clock.now = timestamp / 1000 - 3590
    await post(client, message("你好", msg_id="msgEarly"), hdrs)
    for elapsed in (614, 3600, 7170):
        monotonic[0], clock.now = elapsed, timestamp / 1000 - 3590 + elapsed
        response = await client.post("/", data=json.dumps(message("转人工", msg_id=f"msgLate{elapsed}")), headers=hdrs)
        assert response.status == 403, elapsed
    assert rasa_stub.messages == ["你好"]


async def test_redis_keeps_a_pair_and_its_delivery_for_the_whole_window(
    aiohttp_client: Any, rasa_pool: RasaPool
) -> None:
    from redis import asyncio as redis_asyncio

    from tests.support.redis import temporary_redis

    with temporary_redis() as port:
        redis = redis_asyncio.from_url(f"redis://127.0.0.1:{port}/0", decode_responses=True)
        try:
            client = await aiohttp_client(create_dingtalk_app(CONFIG, rasa_pool, RedisSessions(redis)))
            hdrs = headers()
            await post(client, message("你好", msg_id="msgRedis"), hdrs)
            forged = message("转人工", msg_id="msgRedis", staff="victim01")
            assert (await client.post("/", data=json.dumps(forged), headers=hdrs)).status == 403
            ttls = {key.split(":")[2]: await redis.ttl(key) async for key in redis.scan_iter("ipr:wechat:*")}
            assert ttls["nonce"] > 7000 and ttls["claim"] > 7000, ttls
        finally:
            await redis.aclose()


@pytest.mark.parametrize(
    "body",
    [
        b"{broken",
        b"[]",
        b'"text"',
        "\xff".encode("latin-1"),
        b"{}",
        json.dumps({"msgId": "m1"}).encode(),
        json.dumps(message("x", conversationType="3")).encode(),
        b"[" * 5000,
    ],
    ids=["broken", "list", "string", "not-utf8", "empty", "no-sender", "bad-type", "deep"],
)
async def test_malformed_bodies_are_400(dingtalk: TestClient, body: bytes) -> None:
    assert (await dingtalk.post("/", data=body, headers=headers())).status == 400


async def test_oversized_bodies_and_other_robots(dingtalk: TestClient) -> None:
    huge = json.dumps(message("知" * 20000)).encode()
    assert (await dingtalk.post("/", data=huge, headers=headers())).status == 413
    other = json.dumps(message("你好", robotCode="another-robot")).encode()
    assert (await dingtalk.post("/", data=other, headers=headers())).status == 403
