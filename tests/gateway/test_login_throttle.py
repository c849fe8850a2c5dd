"""Issue 20 N2: login throttling that strangers cannot turn against an operator. Only failures count, per
(account, address) and per address, with a slower ceiling per account from every address; a correct password from
another address is not refused because of someone else's failures; shared through Redis."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp.test_utils import TestClient

from bot.gateway.app import create_app
from bot.gateway.login_throttle import make_login_throttle
from bot.settings import Settings
from tests.gateway.test_staff_accounts import PASSWORD, with_account


async def login_from(client: TestClient, address: str, name: str, password: str) -> int:
    response = await client.post(
        "/staff/login",
        data={"name": name, "password": password},
        headers={"X-Forwarded-For": address},
        allow_redirects=False,
    )
    client.session.cookie_jar.clear()
    if response.status == 303 and response.headers["Location"] == "/staff":
        return 200  # logged in
    return response.status  # 303 to the error page: a wrong password; 429: throttled


async def proxied(aiohttp_client: Any, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(dataclasses.replace(settings, trusted_proxies=("127.0.0.1",))))


async def test_failures_from_one_address_do_not_lock_the_operator_out_elsewhere(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    """The finding: 4 wrong passwords for li from one address, then li's correct password from another → 429."""
    with_account(gateway_settings, "li")
    client = await proxied(aiohttp_client, gateway_settings)
    assert [await login_from(client, "203.0.113.66", "li", f"guess-{n}") for n in range(5)] == [303] * 5
    assert await login_from(client, "203.0.113.66", "li", PASSWORD) == 429  # the guesser's address is stopped
    assert await login_from(client, "198.51.100.7", "li", PASSWORD) == 200  # li, elsewhere, is not


async def test_successful_logins_use_up_nothing(aiohttp_client: Any, gateway_settings: Settings) -> None:
    with_account(gateway_settings, "li")
    client = await proxied(aiohttp_client, gateway_settings)
    assert [await login_from(client, "198.51.100.7", "li", PASSWORD) for _ in range(12)] == [200] * 12
    assert [await login_from(client, "198.51.100.7", "li", f"typo-{n}") for n in range(4)] == [303] * 4
    assert await login_from(client, "198.51.100.7", "li", PASSWORD) == 200  # four typos, then right: still in


async def test_the_global_ceiling_stops_a_distributed_guesser_but_not_the_operators_own_address(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    with_account(gateway_settings, "li")
    client = await proxied(aiohttp_client, gateway_settings)
    assert await login_from(client, "198.51.100.7", "li", PASSWORD) == 200  # li's office
    statuses = [await login_from(client, f"203.0.113.{n // 5}", "li", f"g{n}") for n in range(50)]
    assert statuses == [303] * 50  # 10 addresses, 5 each: the account's ceiling is spent
    assert await login_from(client, "203.0.113.200", "li", "g-next") == 429  # an eleventh address is refused
    assert await login_from(client, "198.51.100.7", "li", PASSWORD) == 200  # li's office still gets in


async def test_fifty_thousand_other_names_do_not_reset_an_accounts_failures() -> None:
    """The finding: in-process buckets were reset after 50,000 other names. Now those names are failures from the
    guesser's address, which is stopped after 20; and the (account, address) bucket stays spent."""
    throttle = make_login_throttle(None, per_address=20, per_account=5)
    for _ in range(5):
        wait, _ = await throttle.take("li", "203.0.113.66")
        assert wait == 0
    refused = 0
    for n in range(50_000):
        wait, _ = await throttle.take(f"name{n}", "203.0.113.66")
        refused += wait > 0
    assert refused == 50_000 - 15  # 20 failures per address: 5 for li, 15 others
    wait, _ = await throttle.take("li", "203.0.113.66")
    assert wait > 0


async def test_parallel_guesses_cannot_all_pass_one_check() -> None:
    throttle = make_login_throttle(None, per_address=20, per_account=5)
    waits = [(await throttle.take("li", "203.0.113.66"))[0] for _ in range(8)]  # taken before any password check
    assert waits[:5] == [0.0] * 5 and all(w > 0 for w in waits[5:])


async def test_two_gateways_on_one_redis_share_the_failures(aiohttp_client: Any, gateway_settings: Settings) -> None:
    from tests.support.redis import temporary_redis

    with_account(gateway_settings, "li")
    with temporary_redis() as port:
        settings = dataclasses.replace(gateway_settings, redis_url=f"redis://127.0.0.1:{port}/0")
        first, second = await proxied(aiohttp_client, settings), await proxied(aiohttp_client, settings)
        for n in range(5):
            assert await login_from(first if n % 2 else second, "203.0.113.66", "li", f"guess-{n}") == 303
        assert await login_from(first, "203.0.113.66", "li", PASSWORD) == 429
        assert await login_from(second, "203.0.113.66", "li", PASSWORD) == 429
        assert await login_from(second, "198.51.100.7", "li", PASSWORD) == 200
        assert [await login_from(first, "198.51.100.7", "li", PASSWORD) for _ in range(8)] == [200] * 8
