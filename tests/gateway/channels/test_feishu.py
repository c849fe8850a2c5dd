"""/feishu as Feishu's event subscription calls it, replies checked on a local server implementing the documented
open-API endpoints (token, send, reply): the exact requests it receives are asserted.

Feishu's documentation publishes one decryption sample (Encrypt Key "test key", ciphertext
``P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=`` → ``hello world``); it is the first test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channel_settings import FeishuConfig
from bot.gateway.channels import keys
from bot.gateway.channels.crypto import FeishuCipher, feishu_signature
from bot.gateway.channels.feishu import create_feishu_app
from bot.gateway.rasa_client import RasaPool
from bot.store.privacy import privacy_notice
from tests.gateway.channels.conftest import Clock, RasaStub
from tests.gateway.channels.feishu_support import APP_ID, APP_SECRET, FeishuOpenApi

VERIFICATION_TOKEN = "GzhQEyfUcx7eEungQFWtXgCbxSpUOJIb"
ENCRYPT_KEY = "kudryavka-encrypt-key"
BOT = {"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "知识产权维权助手", "tenant_key": "736588c9260f175d"}


@pytest.fixture()
async def open_api() -> AsyncIterator[FeishuOpenApi]:
    api = FeishuOpenApi()
    server = TestServer(api.app(), host="127.0.0.1")
    await server.start_server()
    api.base = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    yield api
    await server.close()


def config(open_api: FeishuOpenApi, encrypt_key: str = ENCRYPT_KEY) -> FeishuConfig:
    base = open_api.base  # type: ignore[attr-defined]
    return FeishuConfig(
        APP_ID, APP_SECRET, VERIFICATION_TOKEN, encrypt_key, api_base=base, allow_unsigned=not encrypt_key
    )


@pytest.fixture()
async def feishu(aiohttp_client: Any, rasa_pool: RasaPool, open_api: FeishuOpenApi, clock: Clock) -> TestClient:
    app = create_feishu_app(config(open_api), rasa_pool)
    app[keys.CLOCK] = clock
    return await aiohttp_client(app)


def event(event_type: str, body: dict[str, Any], event_id: str = "") -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id or secrets.token_hex(16),
            "token": VERIFICATION_TOKEN,
            "create_time": str(int(time.time() * 1000)),
            "event_type": event_type,
            "tenant_key": "736588c9260f175d",
            "app_id": APP_ID,
        },
        "event": body,
    }


def text_message(text: str, chat_type: str = "p2p", mentions: list[dict[str, Any]] | None = None, **kw: Any) -> dict:  # type: ignore[type-arg]
    return event(
        "im.message.receive_v1",
        {
            "sender": {"sender_id": {"open_id": kw.get("user", "ou_user1")}, "sender_type": "user"},
            "message": {
                "message_id": kw.get("message_id", f"om_{secrets.token_hex(8)}"),
                "chat_id": kw.get("chat_id", "oc_p2pchat01"),
                "chat_type": chat_type,
                "message_type": kw.get("message_type", "text"),
                "content": json.dumps({"text": text}, ensure_ascii=False),
                "mentions": mentions or [],
            },
        },
        kw.get("event_id", ""),
    )


def signed(
    payload: dict[str, Any], key: str = ENCRYPT_KEY, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """What Feishu posts with an Encrypt Key: the encrypted body and its signature headers."""
    raw = json.dumps({"encrypt": FeishuCipher(key).encrypt(json.dumps(payload, ensure_ascii=False))}).encode()
    ts, nonce = str(int(time.time()) if timestamp is None else timestamp), secrets.token_hex(6)
    return raw, {
        "Content-Type": "application/json",
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": feishu_signature(ts, nonce, key, raw),
    }


async def post(client: TestClient, payload: dict[str, Any]) -> dict[str, Any]:
    raw, headers = signed(payload)
    response = await client.post("/", data=raw, headers=headers)
    assert response.status == 200, await response.text()
    return json.loads(await response.text())


def test_feishus_published_decryption_sample() -> None:
    assert FeishuCipher("test key").decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=") == "hello world"


async def test_url_verification_challenge_encrypted_and_plain(
    feishu: TestClient, aiohttp_client: Any, rasa_pool: RasaPool, open_api: FeishuOpenApi
) -> None:
    challenge = {"challenge": "ajls384kdjx98XX", "token": VERIFICATION_TOKEN, "type": "url_verification"}
    assert await post(feishu, challenge) == {"challenge": "ajls384kdjx98XX"}
    plain_app = await aiohttp_client(create_feishu_app(config(open_api, encrypt_key=""), rasa_pool))
    response = await plain_app.post("/", json=challenge)
    assert response.status == 200 and await response.json() == {"challenge": "ajls384kdjx98XX"}
    response = await plain_app.post("/", json={**challenge, "token": "wrong"})
    assert response.status == 403
    assert open_api.requests == []  # nothing to send for a verification


async def test_p2p_message_is_answered_through_the_reply_api_with_a_card(
    feishu: TestClient, rasa_stub: RasaStub, open_api: FeishuOpenApi
) -> None:
    assert await post(feishu, text_message("贵州企业海外维权找谁", message_id="om_q1")) == {}
    token_request, reply = await open_api.wait_for(2)
    assert (token_request.method, token_request.path_qs, token_request.authorization) == (
        "POST",
        "/open-apis/auth/v3/tenant_access_token/internal",
        "",
    )
    assert token_request.body == {"app_id": APP_ID, "app_secret": APP_SECRET}
    assert (reply.method, reply.path_qs, reply.authorization) == (
        "POST",
        "/open-apis/im/v1/messages/om_q1/reply",
        "Bearer t-g101test",
    )
    assert reply.content_type == "application/json; charset=utf-8" and reply.body["msg_type"] == "interactive"
    card = json.loads(reply.body["content"])
    assert card["header"] == {"template": "blue", "title": {"tag": "plain_text", "content": "知识产权维权助手"}}
    div, notice, note, actions = card["elements"]
    assert div["text"]["content"] == "答：贵州企业海外维权找谁\n牵头单位：省商务厅"
    assert notice["text"]["content"] == privacy_notice(180)  # issue 20 N7: the first reply says what is kept
    assert note["elements"][0]["content"] == "依据：贵州省 第17条"
    assert [(a["text"]["content"], a["value"]) for a in actions["actions"]] == [
        ("查看原文", {"payload": '/show_clause{"ref": "guizhou/17"}', "chat": "p2p"}),
        ("看看云南", {"payload": "那云南呢", "chat": "p2p"}),
        ("转人工", {"payload": "/human_handoff", "chat": "p2p"}),
    ]
    assert rasa_stub.received == [
        {
            "sender": "feishu-ou_user1",
            "message": "贵州企业海外维权找谁",
            "metadata": {"channel": "feishu", "reply_to": {"user": "ou_user1"}},
            "input_channel": "feishu",
        }
    ]


async def test_a_card_button_writes_its_answer_into_the_chat(
    feishu: TestClient, rasa_stub: RasaStub, open_api: FeishuOpenApi
) -> None:
    click = event(
        "card.action.trigger",
        {
            "operator": {"open_id": "ou_user1", "tenant_key": "736588c9260f175d"},
            "token": "c-295ee57216a5dc9de90fefd0aadb4b1d7d5fc8f8",
            "action": {"value": {"payload": "/human_handoff", "chat": "p2p"}, "tag": "button"},
            "host": "im_message",
            "context": {"open_message_id": "om_card1", "open_chat_id": "oc_p2pchat01"},
        },
    )
    assert (await post(feishu, click))["toast"]["type"] == "info"
    _, send = await open_api.wait_for(2)
    assert send.path_qs == "/open-apis/im/v1/messages?receive_id_type=chat_id"
    assert send.body["receive_id"] == "oc_p2pchat01" and send.body["msg_type"] == "interactive"
    assert rasa_stub.received[0]["sender"] == "feishu-ou_user1" and rasa_stub.messages == ["/human_handoff"]


async def test_group_messages_are_answered_only_when_the_bot_is_mentioned(
    feishu: TestClient, rasa_stub: RasaStub, open_api: FeishuOpenApi
) -> None:
    await post(feishu, text_message("大家好", chat_type="group", chat_id="oc_group01"))
    await post(feishu, text_message("@_user_1 云南有海外维权吗", "group", [BOT], chat_id="oc_group01", user="ou_a"))
    await post(feishu, text_message("@_user_1 云南有海外维权吗", "group", [BOT], chat_id="oc_group01", user="ou_b"))
    await open_api.wait_for(3)  # one token, two replies
    assert rasa_stub.messages == ["云南有海外维权吗", "云南有海外维权吗"]
    assert [r["sender"] for r in rasa_stub.received] == ["feishu-oc_group01-ou_a", "feishu-oc_group01-ou_b"]
    card = json.loads(open_api.requests[1].body["content"])
    assert card["elements"][-1]["actions"][0]["value"]["chat"] == "group"


async def test_an_event_delivered_again_is_handled_once(
    feishu: TestClient, rasa_stub: RasaStub, open_api: FeishuOpenApi
) -> None:
    payload = text_message("西藏驰名商标有奖励吗", event_id="5e3702a84e847582be8db7fb73283c02")
    for _ in range(3):  # Feishu re-delivers (new timestamp and nonce, same event_id)
        assert await post(feishu, payload) == {}
    assert len(await open_api.wait_for(2)) == 2 and rasa_stub.messages == ["西藏驰名商标有奖励吗"]


async def test_an_invalid_token_is_refreshed_and_the_call_retried(feishu: TestClient, open_api: FeishuOpenApi) -> None:
    open_api.reject_tokens.add("t-g101test")
    await post(feishu, text_message("你好", message_id="om_q2"))
    requests = await open_api.wait_for(4)
    assert [(r.path_qs, r.authorization) for r in requests] == [
        ("/open-apis/auth/v3/tenant_access_token/internal", ""),
        ("/open-apis/im/v1/messages/om_q2/reply", "Bearer t-g101test"),
        ("/open-apis/auth/v3/tenant_access_token/internal", ""),
        ("/open-apis/im/v1/messages/om_q2/reply", "Bearer t-g102test"),
    ]
    assert requests[1].body == requests[3].body


async def test_the_token_is_kept_and_refetched_before_it_expires(feishu: TestClient, open_api: FeishuOpenApi) -> None:
    open_api.expire = 2  # seconds: refreshed after half of it
    await post(feishu, text_message("你好"))
    await post(feishu, text_message("再问一次"))
    requests = await open_api.wait_for(3)
    assert [r.path_qs.split("/")[-1] for r in requests].count("internal") == 1  # the token was kept
    await asyncio.sleep(1.1)
    await post(feishu, text_message("第三次"))
    requests = await open_api.wait_for(5)
    assert requests[3].path_qs.endswith("/internal") and requests[4].authorization == "Bearer t-g102test"


async def test_bad_signatures_stale_timestamps_and_replays_are_refused(feishu: TestClient, rasa_stub: RasaStub) -> None:
    raw, headers = signed(text_message("你好"))
    assert (await feishu.post("/", data=raw, headers={**headers, "X-Lark-Signature": "0" * 64})).status == 403
    assert (await feishu.post("/", data=raw, headers={**headers, "X-Lark-Request-Nonce": "other"})).status == 403
    stale_raw, stale_headers = signed(text_message("你好"), timestamp=int(time.time()) - 301)
    assert (await feishu.post("/", data=stale_raw, headers=stale_headers)).status == 403
    assert (await feishu.post("/", data=raw, headers=headers)).status == 200
    other_raw, _ = signed(text_message("贵州"))
    replayed = {
        **headers,
        "X-Lark-Signature": feishu_signature(
            headers["X-Lark-Request-Timestamp"], headers["X-Lark-Request-Nonce"], ENCRYPT_KEY, other_raw
        ),
    }
    assert (await feishu.post("/", data=other_raw, headers=replayed)).status == 403  # nonce used for another event
    wrong_token = text_message("你好")
    wrong_token["header"]["token"] = "not-the-token"
    raw, headers = signed(wrong_token)
    assert (await feishu.post("/", data=raw, headers=headers)).status == 403
    plain = json.dumps(text_message("你好")).encode()  # unencrypted while an Encrypt Key is configured
    assert (await feishu.post("/", data=plain, headers={"Content-Type": "application/json"})).status == 403


@pytest.mark.parametrize(
    "raw",
    [
        b"{broken",
        b"[]",
        b'{"encrypt": 5}',
        b'{"encrypt": "!!!"}',
        b'{"encrypt": "' + b"A" * 64 + b'"}',
        json.dumps({"schema": "2.0"}).encode(),
        "\xff".encode("latin-1"),
    ],
    ids=["broken", "list", "encrypt-number", "encrypt-not-base64", "encrypt-garbage", "no-header", "not-utf8"],
)
async def test_malformed_bodies_are_400(feishu: TestClient, raw: bytes) -> None:
    ts, nonce = str(int(time.time())), secrets.token_hex(6)
    headers = {
        "X-Lark-Request-Timestamp": ts,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": feishu_signature(ts, nonce, ENCRYPT_KEY, raw),
    }
    assert (await feishu.post("/", data=raw, headers=headers)).status == 400


async def test_oversized_bodies_are_413(feishu: TestClient) -> None:
    raw, headers = signed(text_message("知" * 30000))
    assert (await feishu.post("/", data=raw, headers=headers)).status == 413


async def test_too_many_waiting_answers_defer_the_event_for_redelivery(
    feishu: TestClient, rasa_stub: RasaStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.gateway.channels import feishu as feishu_module

    payload = text_message("你好", event_id="evt-busy-1")
    monkeypatch.setattr(feishu_module, "MAX_PENDING", 0)
    raw, headers = signed(payload)
    assert (await feishu.post("/", data=raw, headers=headers)).status == 429
    monkeypatch.setattr(feishu_module, "MAX_PENDING", 200)
    assert await post(feishu, payload) == {}  # Feishu's re-delivery is answered
    await asyncio.sleep(0.3)
    assert rasa_stub.messages == ["你好"]


def test_the_cards_colour_follows_the_reply_kind() -> None:
    from bot.gateway.channels.base import Reply
    from bot.gateway.channels.feishu import render
    from bot.gateway.wechat.sessions import UserState

    def template(kind: str) -> str:
        body = json.loads(render(Reply(texts=("浙江暂无方案。",), kind=kind), UserState()))
        return str(json.loads(body["content"])["header"]["template"])

    assert [template(k) for k in ("answer", "not_covered", "handoff", "")] == ["blue", "orange", "green", "blue"]


def test_without_an_encrypt_key_the_channel_does_not_start_unless_told_loudly(
    open_api: FeishuOpenApi, gateway_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 20 N6: 飞书 without an Encrypt Key started silently in token-only mode."""
    from bot.channel_settings import ChannelConfigError, ChannelsConfig
    from bot.gateway.app import create_app

    env = {"FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET, "FEISHU_VERIFICATION_TOKEN": VERIFICATION_TOKEN}
    with pytest.raises(ChannelConfigError, match="FEISHU_ENCRYPT_KEY"):
        create_app(dataclasses.replace(gateway_settings, channels=ChannelsConfig.from_env(env)))
    with caplog.at_level(logging.WARNING):
        create_app(
            dataclasses.replace(
                gateway_settings, channels=ChannelsConfig.from_env({**env, "FEISHU_ALLOW_UNSIGNED": "1"})
            )
        )
    assert any("UNSIGNED" in r.getMessage() for r in caplog.records)


async def test_a_plaintext_url_verification_is_refused_when_a_key_is_set(feishu: TestClient) -> None:
    challenge = {"challenge": "ajls384kdjx98XX", "token": VERIFICATION_TOKEN, "type": "url_verification"}
    response = await feishu.post("/", json=challenge)
    assert response.status == 403 and "ajls384kdjx98XX" not in await response.text()


@pytest.mark.parametrize(
    "field, value",
    [
        ("message_id", "../../../../open-apis/im/v1/chats?page_size=50#"),
        ("message_id", "om_1/../../chats"),
        ("message_id", "om_1%2F..%2Fchats"),
        ("chat_id", "oc_1/../x"),
        ("user", "ou_1\nX"),
    ],
)
async def test_forged_ids_never_reach_an_open_api_path(
    aiohttp_client: Any, rasa_pool: RasaPool, open_api: FeishuOpenApi, rasa_stub: RasaStub, field: str, value: str
) -> None:
    """Issue 20 N6: a forged event (token-only mode) with message_id "../../../../open-apis/im/v1/chats?…" made the
    gateway POST a user's answer, with its tenant token, to another open-API path."""
    unsigned = await aiohttp_client(create_feishu_app(config(open_api, encrypt_key=""), rasa_pool))
    forged = text_message("你好", "group", [BOT], **{"chat_id": "oc_group01", field: value})
    response = await unsigned.post("/", json=forged)
    assert response.status == 200
    await asyncio.sleep(0.3)
    assert open_api.requests == [] and rasa_stub.received == []
