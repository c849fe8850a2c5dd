"""Per-user state of the WeChat channel and one answer per message, in this process or shared through Redis.

WeChat retries a message up to three times when no reply arrives within 5 s, and with several gateway replicas a
retry may reach another one. The first delivery *claims* the message and does the work; every other delivery
waits for the stored answer instead of asking Rasa again. Users' pending parts ("继续") and numbered options are
kept the same way, and so are the nonces of signed requests (``bind_nonce``: one nonce, one message — see
``replay.py``). ``MemorySessions`` serves one gateway process; ``RedisSessions`` (``REDIS_URL``) serves many.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bot.gateway.wechat.replay import NONCE_TTL

ANSWER_TTL = 300  # seconds an answer is kept for retries of the same message
# Seconds a claimed delivery is remembered: at least as long as a signed request for it can still pass (a replay of
# the very same request after that would be a new delivery); channels with a longer window pass their own.
CLAIM_TTL = NONCE_TTL
STATE_TTL = 24 * 3600  # seconds a user's pending parts and options are kept
MAX_ENTRIES = 10_000  # in-memory bound: old entries are dropped first


@dataclass
class UserState:
    pending: list[str] = field(default_factory=list)  # parts not yet shown ("继续")
    options: list[str] = field(default_factory=list)  # payloads of the last numbered options
    noticed: bool = False  # the privacy notice was shown (channels without a welcome event: 钉钉, 飞书)


class WeChatSessions(Protocol):
    # Messages this process asked Rasa about (counted by ``Dialogue``): retries waited for an answer instead, and
    # "继续" or a refused message needed none.
    produced: int

    async def claim(self, key: str, ttl: float = CLAIM_TTL) -> bool: ...
    async def store_answer(self, key: str, answer: str) -> None: ...
    async def wait_answer(self, key: str, timeout: float) -> str | None: ...
    async def load_user(self, open_id: str) -> UserState: ...
    async def save_user(self, open_id: str, state: UserState) -> None: ...
    async def bind_nonce(self, nonce: str, message: str, ttl: float = NONCE_TTL) -> bool: ...


class MemorySessions:
    """``clock``: monotonic seconds (tests move it to show what is remembered for how long)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.produced = 0
        self._clock = clock
        self._claims: OrderedDict[str, float] = OrderedDict()  # key → when it is forgotten
        self._answers: dict[str, str] = {}
        self._ready: dict[str, asyncio.Event] = {}
        self._users: OrderedDict[str, UserState] = OrderedDict()
        self._nonces: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def claim(self, key: str, ttl: float = CLAIM_TTL) -> bool:
        now = self._clock()
        while self._claims and (next(iter(self._claims.values())) < now or len(self._claims) > MAX_ENTRIES):
            old, _ = self._claims.popitem(last=False)
            self._answers.pop(old, None)
            self._ready.pop(old, None)
        if self._claims.get(key, now - 1) >= now:
            return False
        self._claims.pop(key, None)
        self._claims[key] = now + ttl
        self._ready[key] = asyncio.Event()
        return True

    async def store_answer(self, key: str, answer: str) -> None:
        self._answers[key] = answer
        if key in self._ready:
            self._ready[key].set()

    async def wait_answer(self, key: str, timeout: float) -> str | None:
        ready = self._ready.get(key)
        if ready is None:
            return self._answers.get(key)
        try:
            await asyncio.wait_for(ready.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        return self._answers.get(key)

    async def load_user(self, open_id: str) -> UserState:
        state = self._users.pop(open_id, None) or UserState()
        self._users[open_id] = state
        while len(self._users) > MAX_ENTRIES:
            self._users.popitem(last=False)
        return UserState(list(state.pending), list(state.options), state.noticed)

    async def save_user(self, open_id: str, state: UserState) -> None:
        self._users[open_id] = UserState(list(state.pending), list(state.options), state.noticed)

    async def bind_nonce(self, nonce: str, message: str, ttl: float = NONCE_TTL) -> bool:
        """True when ``nonce`` is new (it is now bound to ``message`` for ``ttl`` seconds) or already bound to the
        same message. ``ttl`` must cover the channel's whole accepted window (twice its clock tolerance)."""
        now = self._clock()
        while self._nonces and next(iter(self._nonces.values()))[0] < now:
            self._nonces.popitem(last=False)
        # Bounded like the rest; a flood of fresh nonces needs fresh signatures, which only the platform can make.
        while len(self._nonces) >= 10 * MAX_ENTRIES:
            self._nonces.popitem(last=False)
        bound = self._nonces.get(nonce)
        if bound is None or bound[0] < now:
            self._nonces.pop(nonce, None)
            self._nonces[nonce] = (now + ttl, message)
            return True
        return bound[1] == message


class RedisSessions:
    """The same contract on Redis: SET NX claims a message; answers and user state expire on their own."""

    def __init__(self, redis: Any, prefix: str = "ipr:wechat:") -> None:
        """``redis``: an asyncio client with ``decode_responses=True``, owned (and closed) by the caller."""
        self.produced = 0
        self._redis = redis
        self._prefix = prefix

    async def claim(self, key: str, ttl: float = CLAIM_TTL) -> bool:
        return bool(await self._redis.set(f"{self._prefix}claim:{key}", "1", nx=True, ex=int(ttl)))

    async def store_answer(self, key: str, answer: str) -> None:
        await self._redis.set(f"{self._prefix}answer:{key}", answer, ex=ANSWER_TTL)

    async def wait_answer(self, key: str, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while True:
            answer = await self._redis.get(f"{self._prefix}answer:{key}")
            if answer is not None or time.monotonic() >= deadline:
                return str(answer) if answer is not None else None
            await asyncio.sleep(0.1)

    async def load_user(self, open_id: str) -> UserState:
        raw = await self._redis.get(f"{self._prefix}user:{open_id}")
        if not raw:
            return UserState()
        data = json.loads(raw)
        return UserState(list(data.get("pending", [])), list(data.get("options", [])), bool(data.get("noticed")))

    async def save_user(self, open_id: str, state: UserState) -> None:
        await self._redis.set(
            f"{self._prefix}user:{open_id}", json.dumps(asdict(state), ensure_ascii=False), ex=STATE_TTL
        )

    async def bind_nonce(self, nonce: str, message: str, ttl: float = NONCE_TTL) -> bool:
        key = f"{self._prefix}nonce:{nonce}"
        if await self._redis.set(key, message, nx=True, ex=int(ttl)):
            return True
        return bool(await self._redis.get(key) == message)
