"""One slow database call holds up its own conversation only: the actions read and write the records off the event
loop. Here another connection holds SQLite's write lock, so a 转人工 waits to store its case; meanwhile a second
conversation's question is answered (with the service directory read and its inbox row queued) — and only then,
once the lock is released, does the first get its case number."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.answer import ActionAnswer
from actions.handoff import ActionHumanHandoff
from actions.resources import records_engine, settings
from bot.store.models import HandoffCase
from tests.actions.test_handoff import Talk, contract, text_of

pytestmark = pytest.mark.usefixtures("own_records")


class WriteLock:
    """SQLite's RESERVED lock held by another connection (a long write transaction elsewhere): writers wait for it,
    readers do not."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.taken, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        connection = sqlite3.connect(self.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        self.taken.set()
        self.release.wait(30)
        connection.execute("ROLLBACK")
        connection.close()

    def __enter__(self) -> WriteLock:
        self.thread.start()
        assert self.taken.wait(10)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.thread.join(10)


async def test_a_conversation_is_answered_while_another_waits_on_the_database(domain: dict[str, Any]) -> None:
    waiting, asking = Talk(domain, "web-slow-case"), Talk(domain, "web-quick-question")
    await waiting.turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    records_engine().dispose()  # no pooled connection of ours holds the file
    with WriteLock(settings().database_url.removeprefix("sqlite:///")):
        handoff = asyncio.create_task(waiting.turn(ActionHumanHandoff(), "/human_handoff", "human_handoff"))
        await asyncio.sleep(0.3)  # the handoff is waiting for the lock now
        assert not handoff.done()
        answered = await asyncio.wait_for(
            asyncio.shield(asking.turn(ActionAnswer(), "云南有没有知识产权保险", "seek_support")), 10
        )
        assert contract(answered)["kind"] == "answer" and "yunnan/" in str(contract(answered)["citations"])
        assert not handoff.done()  # the other conversation went ahead while this one waited
    reply = await asyncio.wait_for(handoff, 10)
    number = contract(reply)["case"]["number"]
    assert number in text_of(reply)
    with Session(records_engine()) as session:
        stored = session.scalars(
            select(HandoffCase.case_number).where(HandoffCase.conversation_id == "web-slow-case")
        ).one()
    assert stored == number
