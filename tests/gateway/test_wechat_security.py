"""Attacks on /wechat found by the security test (issue 11), each refused: stale and replayed signed requests, a
nonce reused for another body, one user's MsgId answered to another, plaintext posted to a safe-mode account,
floods from one user, odd digits after numbered options, and signed query strings in the access log."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.gateway.accesslog import PathOnlyAccessLogger
from bot.gateway.app import WECHAT, create_app
from bot.gateway.channels.base import option, option_number
from bot.gateway.channels.wording import TOO_FAST, UNAVAILABLE
from bot.gateway.wechat.crypto import WeChatCrypto
from bot.gateway.wechat.replay import WINDOW
from bot.gateway.wechat.sessions import UserState
from bot.settings import Settings
from tests.gateway.conftest import AES_KEY, APP_ID, WECHAT_TOKEN
from tests.gateway.wechat_support import encrypted_request, reply_fields, signed_query, text_xml

XML = {"Content-Type": "text/xml"}


async def post(client: TestClient, query: dict[str, str], xml: str) -> tuple[int, str]:
    response = await client.post("/wechat", params=query, data=xml, headers=XML)
    return response.status, await response.text()


@pytest.mark.parametrize(
    "age", [-(WINDOW + 5), WINDOW + 5, int(time.time()) - 1262304000], ids=["past", "future", "2010"]
)
async def test_a_signed_url_outside_the_time_window_is_refused(client: TestClient, age: int) -> None:
    query = signed_query(WECHAT_TOKEN, timestamp=int(time.time()) - age, echostr="42")
    assert (await client.get("/wechat", params=query)).status == 403
    status, _ = await post(client, query, text_xml("你好", "31001"))
    assert status == 403
    assert client.app[WECHAT].produced == 0


async def test_a_timestamp_inside_the_window_is_accepted(client: TestClient) -> None:
    query = signed_query(WECHAT_TOKEN, timestamp=int(time.time()) - WINDOW + 30)
    status, body = await post(client, query, text_xml("你好", "31002"))
    assert status == 200 and reply_fields(body)["Content"] == UNAVAILABLE


async def test_a_nonce_is_good_for_one_message_only(client: TestClient) -> None:
    query = signed_query(WECHAT_TOKEN)
    first = await post(client, query, text_xml("商标被抢注了", "32001", user="oVictim"))
    # The same signed URL with another body (another user, another message): a forgery.
    forged = await post(client, query, text_xml("1", "32002", user="oVictim"))
    posing = await post(client, query, text_xml("你好", "32003", user="oSomeoneElse"))
    # The very same request again is WeChat retrying: answered from the first delivery, no new work.
    retry = await post(client, query, text_xml("商标被抢注了", "32001", user="oVictim"))
    assert first[0] == 200 and forged[0] == 403 and posing[0] == 403
    assert retry == first and client.app[WECHAT].produced == 1


async def test_a_nonce_is_bound_to_the_whole_plain_body(client: TestClient) -> None:
    """Issue 20 N1, every channel: in plain mode the pair was bound to (user, MsgId) only, so the same user and MsgId
    with other text passed the nonce check (and, once the delivery was forgotten, reached Rasa)."""
    query = signed_query(WECHAT_TOKEN)
    first = await post(client, query, text_xml("商标被抢注了", "32101", user="oVictim"))
    other_text = await post(client, query, text_xml("转人工", "32101", user="oVictim"))
    assert first[0] == 200 and other_text[0] == 403 and client.app[WECHAT].produced == 1


async def test_msg_ids_are_per_user(client: TestClient) -> None:
    """An attacker sending a MsgId first no longer makes the real user's message get the attacker's answer."""
    await client.app[WECHAT].save_user("wechat-oReal", UserState(pending=["真实用户的第二部分"], options=[]))
    await post(client, signed_query(WECHAT_TOKEN), text_xml("你好", "33001", user="oAttacker"))
    status, body = await post(client, signed_query(WECHAT_TOKEN), text_xml("继续", "33001", user="oReal"))
    assert status == 200 and reply_fields(body)["Content"] == "真实用户的第二部分"
    assert client.app[WECHAT].produced == 1  # the attacker's message; "继续" is answered from the user's state


async def test_with_an_aes_key_plaintext_is_refused_and_safe_mode_answered(safe_client: TestClient) -> None:
    status, _ = await post(safe_client, signed_query(WECHAT_TOKEN), text_xml("你好", "34001"))
    assert status == 403
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    query, body = encrypted_request(WECHAT_TOKEN, crypto, text_xml("你好", "34002"))
    status, reply = await post(safe_client, query, body)
    assert status == 200 and reply_fields(crypto.decrypt(reply_fields(reply)["Encrypt"]))["Content"] == UNAVAILABLE


async def test_each_wechat_user_is_rate_limited(aiohttp_client: Any, gateway_settings: Settings) -> None:
    settings = dataclasses.replace(gateway_settings, wechat_rate_per_minute=1, wechat_rate_burst=3)
    client = await aiohttp_client(create_app(settings))
    answers = [
        reply_fields((await post(client, signed_query(WECHAT_TOKEN), text_xml(f"问题{n}", f"3500{n}", "oFlood")))[1])
        for n in range(5)
    ]
    assert [a["Content"] for a in answers] == [UNAVAILABLE] * 3 + [TOO_FAST] * 2
    other = await post(client, signed_query(WECHAT_TOKEN), text_xml("你好", "35100", "oCalm"))
    assert reply_fields(other[1])["Content"] == UNAVAILABLE  # another user is not affected


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), ("２", 2), ("②", 2), ("²", 2), ("⑨", 9), ("0", 0), ("12", 12), ("5" * 5000, 0), ("一", 0), ("1a", 0)],
)
def test_option_numbers_read_full_width_circled_and_superscript_digits(text: str, number: int) -> None:
    assert option_number(text) == number


@pytest.mark.parametrize("text", ["①", "²", "３", "9" * 5000, "⑳", "¹²³"])
async def test_odd_digits_after_numbered_options_are_answered(client: TestClient, text: str) -> None:
    """These were HTTP 500s (int("①") raises; 5,000 digits exceed Python's int limit)."""
    await client.app[WECHAT].save_user(
        "wechat-oDigits", UserState(pending=[], options=[option("问候", "/greet"), option("转人工", "/human_handoff")])
    )
    status, body = await post(client, signed_query(WECHAT_TOKEN), text_xml(text, "36001", "oDigits"))
    assert status == 200 and reply_fields(body)["Content"] == UNAVAILABLE


async def test_two_gateways_on_one_redis_share_nonces(aiohttp_client: Any, gateway_settings: Settings) -> None:
    from tests.support.redis import temporary_redis

    with temporary_redis() as port:
        settings = dataclasses.replace(gateway_settings, redis_url=f"redis://127.0.0.1:{port}/0")
        first, second = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
        query = signed_query(WECHAT_TOKEN)
        assert (await post(first, query, text_xml("你好", "37001", "oA")))[0] == 200
        assert (await post(second, query, text_xml("1", "37002", "oA")))[0] == 403
        assert (await post(second, query, text_xml("你好", "37001", "oA")))[0] == 200  # a retry on the other one


async def test_the_access_log_never_holds_the_signed_query(
    gateway_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server = TestServer(create_app(gateway_settings))
    await server.start_server(access_log_class=PathOnlyAccessLogger, access_log=logging.getLogger("aiohttp.access"))
    query = signed_query(WECHAT_TOKEN)
    async with TestClient(server) as client:
        with caplog.at_level(logging.INFO, logger="aiohttp.access"):
            await post(client, query, text_xml("你好", "38001"))
            await client.get("/staff/api/search", params={"q": "海外维权"})
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"POST /wechat" 200' in line for line in lines), lines
    assert not any(query["signature"] in line or "nonce" in line or "海外维权" in line for line in lines)


async def test_two_gateways_on_one_redis_share_each_users_rate_limit(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    from tests.support.redis import temporary_redis

    with temporary_redis() as port:
        settings = dataclasses.replace(
            gateway_settings, redis_url=f"redis://127.0.0.1:{port}/0", wechat_rate_per_minute=1, wechat_rate_burst=2
        )
        first, second = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
        answers = []
        for n, client in enumerate((first, second, first)):
            _, body = await post(client, signed_query(WECHAT_TOKEN), text_xml(f"问题{n}", f"3900{n}", "oBusy"))
            answers.append(reply_fields(body)["Content"])
        assert answers == [UNAVAILABLE, UNAVAILABLE, TOO_FAST]
