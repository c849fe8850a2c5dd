"""Staff login throttling that strangers cannot turn against an operator (issue 20 N2).

Only failures count. Each try takes a token from three buckets before the password is checked (so parallel
guesses cannot all pass one check), and a correct password gives them back:

- per (account, address): ``LOGIN_BURST_PER_ACCOUNT`` (5) failures, then one every 3 min — the guessing limit;
- per address: ``LOGIN_BURST_PER_ADDRESS`` (20) failures over any accounts, then one every 45 s;
- per account from every address, the slower global ceiling: ten times the pair's burst (50), then one every
  3 min. It only bites under a distributed attack (failures from ten addresses or more), and even then an address
  the account logged in from within the last 30 days still gets its own tries.

An address is the client's (``TRUSTED_PROXIES`` decides which), an IPv6 client counted per /64. So 4 wrong passwords
for li from one address do not stop li's correct password from another, and a successful login uses up nothing.
Buckets and known addresses are in Redis when ``REDIS_URL`` is set, else in this process.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from bot.gateway.ratelimit import Limiter, client_key, make_limiter

KNOWN_DAYS = 30
GLOBAL_FACTOR = 10
MAX_KNOWN = 50_000


class KnownAddresses(Protocol):
    async def add(self, key: str) -> None: ...
    async def has(self, key: str) -> bool: ...


class MemoryKnown:
    def __init__(self, ttl: float = KNOWN_DAYS * 86400) -> None:
        self._ttl = ttl
        self._until: OrderedDict[str, float] = OrderedDict()

    async def add(self, key: str) -> None:
        self._until.pop(key, None)
        self._until[key] = time.monotonic() + self._ttl
        while len(self._until) > MAX_KNOWN:
            self._until.popitem(last=False)

    async def has(self, key: str) -> bool:
        return self._until.get(key, 0.0) > time.monotonic()


class RedisKnown:
    def __init__(self, redis: Any, ttl: int = KNOWN_DAYS * 86400) -> None:
        self._redis, self._ttl = redis, ttl

    async def add(self, key: str) -> None:
        await self._redis.set(f"ipr:login-known:{key[:300]}", "1", ex=self._ttl)

    async def has(self, key: str) -> bool:
        return bool(await self._redis.exists(f"ipr:login-known:{key[:300]}"))


@dataclass
class LoginThrottle:
    pair: Limiter  # (account, address)
    address: Limiter
    account: Limiter  # every address: the global ceiling
    known: KnownAddresses

    async def take(self, account: str, address: str | None) -> tuple[float, Attempt]:
        """(0, the attempt) when the password may be checked, else (seconds to wait, an attempt that holds nothing)."""
        attempt = Attempt(self, account, client_key(address))
        taken: list[tuple[Limiter, str]] = []
        wait = 0.0
        for limiter, key in attempt.keys:
            over = await limiter.check(key)
            if over and limiter is self.account and await self.known.has(attempt.known_key):
                continue  # a distributed attack on the account does not lock out where its operator works
            if over:
                wait = max(wait, over)
            else:
                taken.append((limiter, key))
        if wait:
            for limiter, key in taken:
                await limiter.give_back(key)
            taken = []
        attempt.keys = taken
        return wait, attempt


class Attempt:
    def __init__(self, throttle: LoginThrottle, account: str, address: str) -> None:
        self.throttle, self.account, self.address = throttle, account, address
        self.known_key = f"{account}|{address}"
        self.keys: list[tuple[Limiter, str]] = [
            (throttle.pair, self.known_key),
            (throttle.address, address),
            (throttle.account, account),
        ]

    async def succeeded(self) -> None:
        """A correct password: the tokens it took are given back, and its address is known for this account."""
        for limiter, key in self.keys:
            await limiter.give_back(key)
        await self.throttle.known.add(self.known_key)


def make_login_throttle(redis: Any | None, per_address: int, per_account: int) -> LoginThrottle:
    """Bursts from settings; refills: the address's in a quarter hour (45 s each at 20), the pair's in 15 minutes
    (3 min each at 5), the account's global ceiling at the pair's pace."""
    return LoginThrottle(
        pair=make_limiter(redis, "login-pair", per_account / 15, per_account),
        address=make_limiter(redis, "login-address", per_address / 15, per_address),
        account=make_limiter(redis, "login-account", per_account / 15, GLOBAL_FACTOR * per_account),
        known=RedisKnown(redis) if redis is not None else MemoryKnown(),
    )
