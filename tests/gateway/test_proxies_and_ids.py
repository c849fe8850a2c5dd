"""Behind a proxy and who may continue a conversation (issue 11): forwarded headers are believed only from
TRUSTED_PROXIES; the rate limit is shared by gateways on one Redis; the web chat's conversation id is issued and
signed by the gateway, matched exactly."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.app import WECHAT_LIMITER, create_app
from bot.gateway.conversations import issue
from bot.gateway.proxies import client_address, parse_networks
from bot.gateway.ratelimit import RedisRateLimiter
from bot.settings import Settings
from tests.gateway.conftest import SENDER, STAFF_TOKEN, WIDGET_ORIGIN


def limited(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **{"rate_per_minute": 1, "rate_burst": 2, **changes})


async def chat(client: TestClient, headers: dict[str, str] | None = None, sender: str = SENDER) -> Any:
    return await client.post("/api/chat", json={"sender": sender, "message": "你好"}, headers=headers or {})


async def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    client = await aiohttp_client(create_app(limited(gateway_settings)))
    statuses = [(await chat(client, {"X-Forwarded-For": f"203.0.113.{n}"})).status for n in range(3)]
    assert statuses == [503, 503, 429]  # one client (the real peer) whatever the header says


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    client = await aiohttp_client(create_app(limited(gateway_settings, trusted_proxies=("127.0.0.1",))))
    first = [(await chat(client, {"X-Forwarded-For": "203.0.113.7"})).status for _ in range(3)]
    assert first == [503, 503, 429]
    # Another user behind the same proxy is not locked out by the first one's flood.
    assert (await chat(client, {"X-Forwarded-For": "203.0.113.8"})).status == 503
    # A client that writes its own X-Forwarded-For gets the proxy's appended hop: the right-most untrusted one.
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert (await chat(client, spoofed)).status == 429


def test_client_address_reads_from_the_right() -> None:
    proxies = parse_networks(("10.0.0.0/8", "127.0.0.1"))
    assert client_address("10.1.2.3", "198.51.100.1, 203.0.113.7, 10.9.9.9", proxies) == "203.0.113.7"
    assert client_address("203.0.113.5", "1.1.1.1", proxies) == "203.0.113.5"  # not a proxy: header ignored
    assert client_address("127.0.0.1", "not-an-ip", proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", "", proxies) == "127.0.0.1"


async def test_the_page_behind_a_tls_proxy_is_same_origin(aiohttp_client: Any, gateway_settings: Settings) -> None:
    trusted = await aiohttp_client(create_app(dataclasses.replace(gateway_settings, trusted_proxies=("127.0.0.1",))))
    host = f"{trusted.host}:{trusted.port}"
    headers = {"Origin": f"https://{host}", "X-Forwarded-Proto": "https"}
    assert (await chat(trusted, headers)).status == 503  # accepted (Rasa is down here), not 403
    untrusted = await aiohttp_client(create_app(gateway_settings))
    assert (
        await chat(untrusted, {"Origin": f"https://{untrusted.host}:{untrusted.port}", "X-Forwarded-Proto": "https"})
    ).status == 403
    # The staff cookie is Secure when the proxy says the browser used TLS.
    login = await trusted.post(
        "/staff/login", data={"password": STAFF_TOKEN}, headers={"X-Forwarded-Proto": "https"}, allow_redirects=False
    )
    assert "Secure" in login.headers["Set-Cookie"]


async def test_two_gateways_on_one_redis_share_the_rate_limit(aiohttp_client: Any, gateway_settings: Settings) -> None:
    from tests.support.redis import temporary_redis

    with temporary_redis() as port:
        settings = limited(gateway_settings, rate_burst=3, redis_url=f"redis://127.0.0.1:{port}/0")
        first, second = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
        statuses = [(await chat(client)).status for client in (first, second, first, second)]
        assert statuses == [503, 503, 503, 429]
        retry = await chat(first)
        assert retry.status == 429 and int(retry.headers["Retry-After"]) >= 1
        # WeChat users are limited on the same Redis (per OpenID, its own buckets).
        assert isinstance(first.app[WECHAT_LIMITER], RedisRateLimiter)


async def test_the_gateway_issues_conversation_ids(client: TestClient) -> None:
    response = await client.post("/api/conversations")
    conversation = (await response.json())["conversation"]
    assert response.status == 201 and len(conversation) == 44
    assert (await chat(client, sender=conversation)).status == 503  # accepted (Rasa is down here)
    other = (await (await client.post("/api/conversations")).json())["conversation"]
    assert other != conversation


@pytest.mark.parametrize(
    "sender",
    [
        "0123456789abcdef0123456789abcdef",  # client-chosen, as before
        SENDER[:-1] + ("A" if SENDER[-1] != "A" else "B"),  # a forged signature
        SENDER + "\n",  # a trailing newline passed the old check
        "\n" + SENDER,
        SENDER[:22] * 2,
        issue(b"another gateway's secret"),
    ],
    ids=["client-chosen", "forged", "trailing-newline", "leading-newline", "doubled", "foreign-secret"],
)
async def test_ids_the_gateway_did_not_issue_are_refused(client: TestClient, sender: str) -> None:
    response = await chat(client, sender=sender)
    assert response.status == 400 and "会话编号无效" in (await response.json())["error"]
    assert response.headers["X-Conversation-Invalid"] == "1"


async def test_client_ids_only_when_configured(aiohttp_client: Any, gateway_settings: Settings) -> None:
    open_ids = await aiohttp_client(create_app(dataclasses.replace(gateway_settings, accept_client_ids=True)))
    assert (await chat(open_ids, sender="0123456789abcdef")).status == 503
    assert (await chat(open_ids, sender="0123456789abcdef\n")).status == 400  # still matched exactly


async def test_conversation_ids_for_the_widget_only_from_allowed_origins(client: TestClient) -> None:
    allowed = await client.post("/api/conversations", headers={"Origin": WIDGET_ORIGIN})
    assert allowed.status == 201 and allowed.headers["Access-Control-Allow-Origin"] == WIDGET_ORIGIN
    assert "X-Conversation-Invalid" in allowed.headers["Access-Control-Expose-Headers"]
    refused = await client.post("/api/conversations", headers={"Origin": "https://evil.example"})
    assert refused.status == 403 and "Access-Control-Allow-Origin" not in refused.headers


async def test_one_address_gets_conversation_ids_at_a_human_pace(client: TestClient) -> None:
    """Issue 20 N10: one address opened 10 cases in 0.2 s (a new id and 转人工 each); ids had no limit."""
    statuses = [(await client.post("/api/conversations")).status for _ in range(8)]
    assert statuses == [201] * 5 + [429] * 3
    refused = await client.post("/api/conversations")
    assert int(refused.headers["Retry-After"]) >= 1 and "请求过于频繁" in (await refused.json())["error"]


async def test_an_ipv6_client_is_counted_per_64(aiohttp_client: Any, gateway_settings: Settings) -> None:
    """Issue 20 N10: behind a proxy each IPv6 /128 had its own bucket — a subscriber's /64 is 2^64 of them."""
    client = await aiohttp_client(create_app(limited(gateway_settings, trusted_proxies=("127.0.0.1",))))
    same_64 = [f"2001:db8:1:2::{n:x}" for n in range(1, 4)]
    assert [(await chat(client, {"X-Forwarded-For": a})).status for a in same_64] == [503, 503, 429]
    assert (await chat(client, {"X-Forwarded-For": "2001:db8:1:3::1"})).status == 503  # another /64


def test_client_keys() -> None:
    from bot.gateway.ratelimit import client_key

    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_key(None) == "unknown" and client_key("not an address") == "not an address"
