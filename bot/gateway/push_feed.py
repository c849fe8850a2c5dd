"""Who waits for an operator's reply, and the one loop per gateway that looks for replies in the shared database.

Each gateway looks once every ``POLL_SECONDS`` — one query for all its streams, and none while no page waits — so a
reply written through any gateway reaches a page on any other within seconds, and no browser polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.store.records import SentReply, replies_since

log = logging.getLogger(__name__)

POLL_SECONDS = 1.5  # the promise is 5 s from 发送答复 to the page
LOOKBACK = timedelta(seconds=60)  # a reply committed a little after its timestamp is still seen
STREAMS_PER_CLIENT = 30  # open pages of one address (IPv6: /64) — an office behind one NAT shares an address
MAX_STREAMS = 5000  # per gateway
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(eq=False)  # each stream is its own entry, equal only to itself
class _Waiting:
    conversation_id: str
    since: datetime
    queue: asyncio.Queue[SentReply | None] = field(default_factory=asyncio.Queue)


class ReplyFeed:
    """Who waits for which conversation, and the one loop that finds their replies."""

    def __init__(self, engine: Engine, poll_seconds: float = POLL_SECONDS) -> None:
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._waiting: set[_Waiting] = set()
        self._per_client: dict[str, int] = {}
        self._wake = asyncio.Event()

    def __len__(self) -> int:
        return len(self._waiting)

    def admit(self, client: str) -> bool:
        if len(self._waiting) >= MAX_STREAMS or self._per_client.get(client, 0) >= STREAMS_PER_CLIENT:
            return False
        self._per_client[client] = self._per_client.get(client, 0) + 1
        return True

    def release(self, client: str) -> None:
        left = self._per_client.get(client, 1) - 1
        if left > 0:
            self._per_client[client] = left
        else:
            self._per_client.pop(client, None)

    @contextlib.asynccontextmanager
    async def waiting(self, conversation_id: str, since: datetime) -> AsyncIterator[_Waiting]:
        """A stream's place in the feed; replies after ``since`` written before it joined are queued first."""
        entry = _Waiting(conversation_id, since)
        self._waiting.add(entry)
        self._wake.set()
        try:
            missed = await asyncio.to_thread(replies_since, self._engine, since, conversation_id)
            self._deliver(entry, missed)
            yield entry
        finally:
            self._waiting.discard(entry)

    def close(self) -> None:
        """Shutdown: every stream ends (the pages reconnect to another gateway)."""
        for entry in self._waiting:
            entry.queue.put_nowait(None)

    async def run(self) -> None:
        checked = datetime.now(UTC)
        while True:
            if not self._waiting:
                self._wake.clear()
                await self._wake.wait()
            await asyncio.sleep(self._poll_seconds)
            now = datetime.now(UTC)
            try:
                fresh = await asyncio.to_thread(replies_since, self._engine, checked - LOOKBACK)
            except SQLAlchemyError:
                log.exception("could not read operators' replies; trying again")
                continue
            checked = now
            by_conversation: dict[str, list[SentReply]] = {}
            for reply in fresh:
                by_conversation.setdefault(reply.conversation_id, []).append(reply)
            for entry in list(self._waiting):
                self._deliver(entry, by_conversation.get(entry.conversation_id, []))

    @staticmethod
    def _deliver(entry: _Waiting, replies: list[SentReply]) -> None:
        for reply in replies:
            if millis(reply.replied_at) > millis(entry.since):  # pages count in milliseconds
                entry.since = reply.replied_at
                entry.queue.put_nowait(reply)


def millis(moment: datetime) -> int:
    """A reply's time as its event id: milliseconds, what a page keeps and sends back."""
    return (moment - EPOCH) // timedelta(milliseconds=1)  # integer arithmetic: a float could round a reply twice


def from_millis(value: int) -> datetime:
    return EPOCH + timedelta(milliseconds=value)
