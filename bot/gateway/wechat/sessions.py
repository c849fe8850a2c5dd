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
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bot.gateway.wechat.replay import NONCE_TTL

ANSWER_TTL = 300  # seconds an answer is kept for retries of the same message
STATE_TTL = 24 * 3600  # seconds a user's pending parts and options are kept
MAX_ENTRIES = 10_000  # in-memory bound: old entries are dropped first


@dataclass
class UserState:
    pending: list[str] = field(default_factory=list)  # parts not yet shown ("继续")
    options: list[str] = field(default_factory=list)  # payloads of the last numbered options


class WeChatSessions(Protocol):
    produced: int  # messages this process did the work for (the others waited for an answer)

    async def claim(self, key: str) -> bool: ...
    async def store_answer(self, key: str, answer: str) -> None: ...
    async def wait_answer(self, key: str, timeout: float) -> str | None: ...
    async def load_user(self, open_id: str) -> UserState: ...
    async def save_user(self, open_id: str, state: UserState) -> None: ...
    async def bind_nonce(self, nonce: str, message: str) -> bool: ...


class MemorySessions:
    def __init__(self) -> None:
        self.produced = 0
        self._claims: OrderedDict[str, float] = OrderedDict()
        self._answers: dict[str, str] = {}
        self._ready: dict[str, asyncio.Event] = {}
        self._users: OrderedDict[str, UserState] = OrderedDict()
        self._nonces: OrderedDict[str, tuple[float, str]] = OrderedDict()

    async def claim(self, key: str) -> bool:
        now = time.monotonic()
        while self._claims and (
            now - next(iter(self._claims.values())) > ANSWER_TTL or len(self._claims) > MAX_ENTRIES
        ):
            old, _ = self._claims.popitem(last=False)
            self._answers.pop(old, None)
            self._ready.pop(old, None)
        if key in self._claims:
            return False
        self._claims[key] = now
        self._ready[key] = asyncio.Event()
        self.produced += 1
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
        return UserState(list(state.pending), list(state.options))

    async def save_user(self, open_id: str, state: UserState) -> None:
        self._users[open_id] = UserState(list(state.pending), list(state.options))

    async def bind_nonce(self, nonce: str, message: str) -> bool:
        """True when ``nonce`` is new (it is now bound to ``message``) or already bound to the same message."""
        now = time.monotonic()
        while self._nonces and now - next(iter(self._nonces.values()))[0] > NONCE_TTL:
            self._nonces.popitem(last=False)
        # Bounded like the rest; a flood of fresh nonces needs fresh signatures, which only WeChat can make.
        while len(self._nonces) >= 10 * MAX_ENTRIES:
            self._nonces.popitem(last=False)
        bound = self._nonces.get(nonce)
        if bound is None:
            self._nonces[nonce] = (now, message)
            return True
        return bound[1] == message


class RedisSessions:
    """The same contract on Redis: SET NX claims a message; answers and user state expire on their own."""

    def __init__(self, redis: Any, prefix: str = "ipr:wechat:") -> None:
        """``redis``: an asyncio client with ``decode_responses=True``, owned (and closed) by the caller."""
        self.produced = 0
        self._redis = redis
        self._prefix = prefix

    async def claim(self, key: str) -> bool:
        won = bool(await self._redis.set(f"{self._prefix}claim:{key}", "1", nx=True, ex=ANSWER_TTL))
        self.produced += won
        return won

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
        return UserState(list(data.get("pending", [])), list(data.get("options", [])))

    async def save_user(self, open_id: str, state: UserState) -> None:
        await self._redis.set(
            f"{self._prefix}user:{open_id}", json.dumps(asdict(state), ensure_ascii=False), ex=STATE_TTL
        )

    async def bind_nonce(self, nonce: str, message: str) -> bool:
        key = f"{self._prefix}nonce:{nonce}"
        if await self._redis.set(key, message, nx=True, ex=NONCE_TTL):
            return True
        return bool(await self._redis.get(key) == message)
