"""Rate limits: a token bucket per key (a client address, a WeChat user, a staff login name), in this process or
shared by every gateway through Redis.

``rate_per_minute`` tokens are added per minute up to ``burst``; each request takes one (``give_back`` returns it,
for limits that count only failures). ``check`` answers 0 when the request may go through, else the seconds to wait (the caller answers 429 with a Chinese message and
Retry-After, or a polite WeChat reply). With ``REDIS_URL`` set the buckets live in Redis (one Lua script per check,
atomic, on Redis's clock), so a client cannot multiply its allowance by spreading requests over gateway replicas.
In-process buckets are bounded in number (the longest untouched dropped first: a bucket untouched for
``burst / rate`` is full again, the same as no bucket). Clients are counted per address, and an IPv6 client per
/64 (``client_key``): one subscriber gets a whole /64 and could otherwise take a new bucket per address.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

MAX_CLIENTS = 50_000
IPV6_PREFIX = 64


def client_key(address: str | None) -> str:
    """The key a client is counted under: its IPv4 address, or its IPv6 /64 ("2001:db8:1:2::/64")."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


class Limiter(Protocol):
    @property
    def enabled(self) -> bool: ...
    async def check(self, key: str) -> float: ...
    async def give_back(self, key: str) -> None: ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets in this process."""

    def __init__(self, rate_per_minute: float, burst: int) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = float(max(burst, 1))
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    async def check(self, key: str) -> float:
        return self.allow(key)

    async def give_back(self, key: str) -> None:
        self.allow(key, cost=-1)

    def allow(self, client: str, now: float | None = None, cost: int = 1) -> float:
        """0 when the request may go through (it took ``cost`` tokens; a negative cost gives tokens back), else the
        seconds to wait."""
        if not self.enabled:
            return 0.0
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(client, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[client] = bucket
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        if cost <= 0:
            bucket.tokens = min(self.burst, bucket.tokens - cost)
            return 0.0
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / self.rate


# KEYS[1] bucket; ARGV rate per second, burst, cost (negative: tokens given back). Returns the wait in seconds as a
# string (Lua numbers become integers).
_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(saved[1]) or burst
local updated = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = 0
if cost <= 0 then tokens = math.min(burst, tokens - cost)
elseif tokens >= cost then tokens = tokens - cost
else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisRateLimiter:
    """The same token buckets in Redis, shared by every gateway that uses the same ``REDIS_URL``."""

    def __init__(self, redis: Any, name: str, rate_per_minute: float, burst: int) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = max(burst, 1)
        self._redis = redis
        self._prefix = f"ipr:rate:{name}:"
        self._script = redis.register_script(_BUCKET_SCRIPT)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    async def check(self, key: str) -> float:
        return await self._run(key, 1)

    async def give_back(self, key: str) -> None:
        await self._run(key, -1)

    async def _run(self, key: str, cost: int) -> float:
        if not self.enabled:
            return 0.0
        wait = await self._script(keys=[self._prefix + key[:200]], args=[self.rate, self.burst, cost])
        return float(wait)


def make_limiter(redis: Any | None, name: str, rate_per_minute: float, burst: int) -> Limiter:
    if redis is None:
        return RateLimiter(rate_per_minute, burst)
    return RedisRateLimiter(redis, name, rate_per_minute, burst)
