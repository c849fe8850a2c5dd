"""Rasa's SQL tracker store with less work per turn: the same ``events`` table, rows and semantics.

Per message, Rasa 3.6's ``SQLTrackerStore`` builds an ORM query with a subquery (SQLAlchemy recomputes its cache
key every time), decodes each row into an ORM object, and turns each event dict into an ``Event`` through
``Event.resolve_by_type``, which walks every subclass of ``Event`` (``inspect.isabstract`` on each) for every
event. Saving counts the session's stored events with a second query and inserts through the ORM unit of work.
On SQLite it also opens a new connection for every query (``NullPool``) with a synced journal on each commit.
Under load that was about 30 % of Rasa's CPU, and it grows with the conversation (bench/results/levers.md).

This store does the same work with one textual ``SELECT data`` per turn, a table of event types built once,
the number of stored events remembered from the retrieve (the processor saves the very tracker object it
retrieved, under the conversation's lock), and one multi-row ``INSERT``. On SQLite it keeps pooled
connections in WAL mode with ``synchronous=NORMAL``: a commit is durable against a crash of the process, and a
power cut can lose at most the last turns, never corrupt the file.
"""

from __future__ import annotations

import functools
import itertools
import json
import weakref
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

# Events since the latest session start (all of them when there is none), in the order they were stored: the
# same rows as SQLTrackerStore._event_query(fetch_events_from_all_sessions=False).
_LATEST_SESSION_START = "(SELECT MAX(s.timestamp) FROM events s WHERE s.sender_id = :sender AND s.type_name = :started)"
_IN_LATEST_SESSION = f"(e.timestamp >= {_LATEST_SESSION_START} OR {_LATEST_SESSION_START} IS NULL)"
_SESSION_EVENTS = sa.text(
    f"SELECT e.data FROM events e WHERE e.sender_id = :sender AND {_IN_LATEST_SESSION} ORDER BY e.id"
)
_ALL_EVENTS = sa.text("SELECT e.data FROM events e WHERE e.sender_id = :sender ORDER BY e.id")
_SESSION_EVENT_COUNT = sa.text(f"SELECT COUNT(*) FROM events e WHERE e.sender_id = :sender AND {_IN_LATEST_SESSION}")


@functools.lru_cache(maxsize=1)
def _event_types() -> dict[str, type[Event]]:
    """Event classes by type name, first match first, as ``Event.resolve_by_type`` finds them (built on first use,
    when every event class has been imported)."""
    types: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        types.setdefault(cls.type_name, cls)
    return types


def deserialise_event(parameters: dict[str, Any]) -> Event | None:
    """``Event.from_parameters`` without the walk over every Event subclass for each event."""
    cls = _event_types().get(str(parameters.get("event")))
    if cls is None:  # unknown or legacy types: Rasa's own rules (and its error) apply
        return Event.from_parameters(parameters)
    return cls._from_parameters(parameters)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")  # the gateway's report and privacy commands use the same file
    cursor.close()


class LeanSQLTrackerStore(SQLTrackerStore):
    """``type: rasa_plugins.tracker_store.LeanSQLTrackerStore`` in endpoints.yml, with the ``url`` (and any other
    setting) SQLTrackerStore takes; SQLite and PostgreSQL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=2, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # How many of a retrieved tracker's events are stored already, by the tracker object itself (trackers are
        # unhashable: its id and a weak reference), so only a save of the very tracker this process retrieved (under
        # the conversation's lock) skips the count.
        self._stored: dict[int, tuple[weakref.ref[DialogueStateTracker], int]] = {}

    def _remember(self, tracker: DialogueStateTracker, stored: int) -> None:
        if len(self._stored) > 1000:  # retrieved and never saved (tracker API reads): drop the collected ones
            self._stored = {key: entry for key, entry in self._stored.items() if entry[0]() is not None}
        self._stored[id(tracker)] = (weakref.ref(tracker), stored)

    def _stored_count(self, tracker: DialogueStateTracker) -> int | None:
        entry = self._stored.get(id(tracker))
        return entry[1] if entry is not None and entry[0]() is tracker else None

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        query = _ALL_EVENTS if fetch_events_from_all_sessions else _SESSION_EVENTS
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender": sender_id, "started": SessionStarted.type_name}).scalars()
            events = [event for data in rows if (event := deserialise_event(json.loads(data))) is not None]
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            self._remember(tracker, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = self._stored_count(tracker)
            if stored is None:
                parameters = {"sender": tracker.sender_id, "started": SessionStarted.type_name}
                stored = int(connection.execute(_SESSION_EVENT_COUNT, parameters).scalar_one())
            rows = [_row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                connection.execute(self.SQLEvent.__table__.insert(), rows)
        self._remember(tracker, len(tracker.events))


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns SQLTrackerStore.save writes for an event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
