"""Per-user state of the WeChat channel, in this process: answers by message (so WeChat's retries of one MsgId get
one answer), the rest of a long answer ("继续"), and the numbered options a digit picks.

WeChat retries a message up to three times when no reply arrives within 5 s. The first delivery starts the work;
a retry waits for the same work instead of asking Rasa again; a finished answer is kept for a few minutes.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

ANSWER_TTL = 300.0  # seconds an answer is kept for retries of the same message
MAX_ENTRIES = 10_000  # bounded: old entries are dropped first


@dataclass
class UserState:
    pending: list[str] = field(default_factory=list)  # parts not yet shown ("继续")
    options: list[str] = field(default_factory=list)  # payloads of the last numbered options


class WeChatSessions:
    def __init__(self) -> None:
        self._work: OrderedDict[str, tuple[float, asyncio.Task[str]]] = OrderedDict()
        self._users: OrderedDict[str, UserState] = OrderedDict()

    def user(self, open_id: str) -> UserState:
        state = self._users.pop(open_id, None) or UserState()
        self._users[open_id] = state
        while len(self._users) > MAX_ENTRIES:
            self._users.popitem(last=False)
        return state

    def answer_once(self, key: str, produce: Callable[[], Awaitable[str]]) -> asyncio.Task[str]:
        """The task answering message ``key``: started on first delivery, shared by every retry."""
        now = time.monotonic()
        while self._work and (now - next(iter(self._work.values()))[0] > ANSWER_TTL or len(self._work) > MAX_ENTRIES):
            self._work.popitem(last=False)
        if key in self._work:
            return self._work[key][1]
        task = asyncio.ensure_future(produce())
        self._work[key] = (now, task)
        return task

    def deliveries(self) -> int:
        return len(self._work)
