"""Where the demand report reads from, read-only: the assistant's records (``bot.store``: handoff cases, feedback,
unanswered questions, in the ``DATABASE_URL`` database) and Rasa's SQL tracker store (the ``events`` table).

Rasa's table is described here, not imported (nothing in ``bot`` imports ``rasa``): one row per event with
``type_name`` (user, bot, action, slot …), a float UNIX ``timestamp``, ``intent_name`` (user events),
``action_name`` (the action's name — and, for a slot event, the slot's name) and the event as JSON in ``data``.
Only the few JSON fields the report needs are read, and the database does the extracting where it can.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    create_engine,
    func,
    inspect,
    null,
    or_,
    select,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.engine import make_url

from bot.kb.db import make_engine
from bot.review.inbox import STAFF_LOOKUP
from bot.store.models import Feedback, HandoffCase, ReviewedExample, UnansweredQuestion
from bot.store.staff import StaffAudit
from bot.store.transcripts import SESSION_START_INTENT, transcript

REGION_SLOT = "region"
REFS_SLOT = "last_refs"

TRACKER_METADATA = MetaData()
# The columns of rasa.core.tracker_store.SQLTrackerStore.SQLEvent (Rasa 3.6).
EVENTS = Table(
    "events",
    TRACKER_METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write: SQLite files are opened with ``mode=ro``; other databases get
    ``default_transaction_read_only`` (PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return create_engine(f"sqlite:///file:{parsed.database}?mode=ro&uri=true")
    if parsed.get_backend_name() == "postgresql":
        engine = make_engine(url)
        return engine.execution_options(postgresql_readonly=True)
    return make_engine(url)


class Turn(NamedTuple):  # a tuple, not a frozen dataclass: built ~10⁵ times per report, 2× faster
    """A user message as the report sees it: who (an opaque conversation id), when, what intent, and the region
    it is about (see ``read_tracker``); ``agencies`` are the message's agency entities."""

    sender: str
    at: datetime
    intent: str | None
    region: str | None
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrackerData:
    turns: list[Turn]
    citations: list[tuple[datetime, tuple[str, ...]]]  # every last_refs slot event: when, which refs


def _json_field(column: Column[Any], path: tuple[str, ...], dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return func.json_extract(column, "$." + ".".join(path))
    if dialect == "postgresql":
        field: ColumnElement[Any] = cast(column, JSON)[path if len(path) > 1 else path[0]].as_string()
        return field
    return column  # other databases: the whole JSON, decoded in Python


def read_tracker(
    engine: Engine, since: datetime | None, resolve_region: Callable[[str], str | None] | None = None
) -> TrackerData:
    """User turns with their region, and the clause refs each answer cited, in conversation order. ``since`` and
    every time returned are naive UTC.

    A turn's region is the region the message itself names (its ``region`` entity, resolved by
    ``resolve_region`` to a provincial-level division — so a question about 浙江, which has no plan and leaves the
    slot alone, counts for 浙江省), else the ``region`` slot at the end of the turn.
    """
    dialect = engine.dialect.name
    whole_json = dialect not in ("sqlite", "postgresql")
    wanted_slot = and_(EVENTS.c.type_name == "slot", EVENTS.c.action_name.in_([REGION_SLOT, REFS_SLOT]))
    # The gateway's "/session_start" (a new Rasa session every few dozen messages) is no question anyone asked.
    not_session_start = or_(EVENTS.c.intent_name.is_(None), EVENTS.c.intent_name != SESSION_START_INTENT)
    value = case(
        (wanted_slot, _json_field(EVENTS.c.data, ("value",), dialect)),
        (EVENTS.c.type_name == "user", _json_field(EVENTS.c.data, ("parse_data", "entities"), dialect)),
        else_=None,
    )
    query = (
        select(
            EVENTS.c.sender_id,
            EVENTS.c.type_name,
            EVENTS.c.timestamp,
            EVENTS.c.intent_name,
            EVENTS.c.action_name,
            value,
        )
        .where(or_(and_(EVENTS.c.type_name == "user", not_session_start), wanted_slot))
        .where(EVENTS.c.sender_id.not_like(f"{STAFF_LOOKUP}-%"))  # an operator's lookup is not a user's question
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= since.replace(tzinfo=timezone.utc).timestamp())
    resolved: dict[str, str | None] = {}

    def named_region(entities: dict[str, tuple[str, ...]]) -> str | None:
        values = entities.get("region", ())
        if not values or resolve_region is None:
            return None
        if values[0] not in resolved:
            resolved[values[0]] = resolve_region(values[0])
        return resolved[values[0]]

    turns: list[Turn] = []
    citations: list[tuple[datetime, tuple[str, ...]]] = []
    with engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            return TrackerData([], [])
        for sender, rows in _by_sender(connection.execute(query).all()):  # one fetch: 3× faster than row by row
            region: str | None = None
            pending: list[tuple[float, str | None, str | None, tuple[str, ...]]] = []  # this turn's message
            for _, type_name, timestamp, intent, slot, raw in rows:
                if type_name == "user":
                    turns.extend(Turn(sender, _utc(t), i, named or region, a) for t, i, named, a in pending)
                    entities = _entities(raw, whole_json)
                    pending = [(timestamp, intent, named_region(entities), entities.get("agency", ()))]
                elif slot == REGION_SLOT:
                    region = _value(raw, whole_json, decode=False)
                elif slot == REFS_SLOT:
                    refs = _value(raw, whole_json, decode=True)
                    if refs:
                        citations.append((_utc(timestamp), tuple(str(r) for r in refs)))
            turns.extend(Turn(sender, _utc(t), i, named or region, a) for t, i, named, a in pending)
    return TrackerData(turns, citations)


def read_transcript(engine: Engine, sender_id: str, until: datetime) -> list[dict[str, str]]:
    """One conversation as the user saw it, every Rasa session of it up to ``until``: a 转人工 case stores only the
    session it was opened in (the gateway starts a new one every few dozen messages)."""
    if until.tzinfo is None:
        until = until.replace(tzinfo=timezone.utc)  # SQLite keeps naive UTC
    query = (
        select(EVENTS.c.data)
        .where(
            EVENTS.c.sender_id == sender_id,
            EVENTS.c.type_name.in_(["user", "bot"]),
            EVENTS.c.timestamp <= until.timestamp(),
        )
        .order_by(EVENTS.c.id)
    )
    with engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            return []
        return transcript(json.loads(data) for (data,) in connection.execute(query) if data)


def _by_sender(rows: Any) -> Iterator[tuple[str, list[Any]]]:
    current: str | None = None
    bucket: list[Any] = []
    for row in rows:
        if row[0] != current:
            if bucket:
                yield current or "", bucket
            current, bucket = row[0], []
        bucket.append(row)
    if bucket:
        yield current or "", bucket


def _value(raw: Any, whole_json: bool, decode: bool) -> Any:
    if raw is None:
        return None
    if whole_json:
        return json.loads(raw).get("value")
    if decode and isinstance(raw, str):
        return json.loads(raw)
    return raw


def _entities(raw: Any, whole_json: bool) -> dict[str, tuple[str, ...]]:
    """Entity values of a user message by entity name, in the order found (most messages have none: ``[]``)."""
    if raw is None or raw == "[]":
        return {}
    found = json.loads(raw) if isinstance(raw, str) else raw
    if whole_json:
        found = (found.get("parse_data") or {}).get("entities") or []
    entities: dict[str, list[str]] = {}
    for entity in found or []:
        if entity.get("value"):
            entities.setdefault(str(entity.get("entity")), []).append(str(entity["value"]))
    return {name: tuple(values) for name, values in entities.items()}


_EPOCH = datetime(1970, 1, 1)


def _utc(timestamp: float | None) -> datetime:
    """A UNIX timestamp as naive UTC (``fromtimestamp`` with a time zone is 3× slower over a million events)."""
    return _EPOCH + timedelta(seconds=timestamp or 0.0)


# -- the assistant's own records (bot.store) ----------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    at: datetime
    region: str | None
    topic: str | None
    handled: bool
    handled_at: datetime | None  # when the records keep it (``handled_at`` column or the staff audit trail)


@dataclass(frozen=True)
class FeedbackRow:
    at: datetime
    positive: bool
    refs: tuple[str, ...]


@dataclass(frozen=True)
class UnansweredRow:
    at: datetime
    conversation: str  # only counted (how many conversations used a word), never shown
    text: str
    region: str | None


REVIEW_ACTIONS = ("review_confirm", "review_correct", "review_discard")


@dataclass(frozen=True)
class ReviewRow:
    at: datetime
    action: str  # confirm | correct | discard: what a reviewer did with a message of the 待标注 inbox


@dataclass(frozen=True)
class CorrectionRow:
    at: datetime
    read_as: str | None  # the need the assistant read
    label: str  # the need the reviewer gave


@dataclass(frozen=True)
class StoreData:
    cases: list[CaseRow]
    feedback: list[FeedbackRow]
    unanswered: list[UnansweredRow]
    closing_time_recorded: bool
    reviews: list[ReviewRow] = field(default_factory=list)
    corrections: list[CorrectionRow] = field(default_factory=list)


def read_store(engine: Engine, since: datetime | None) -> StoreData:
    """The three kinds of record, oldest first; absent tables read as empty (a fresh install). ``since`` and
    every time returned are naive UTC."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        tables = set(inspector.get_table_names())
        columns_of_cases = (
            {c["name"] for c in inspector.get_columns("handoff_cases")} if "handoff_cases" in tables else set()
        )
        cases: list[CaseRow] = []
        if "handoff_cases" in tables:
            table = HandoffCase.__table__
            closed_at = _closed_at(table, columns_of_cases, tables)
            query = select(table.c.created_at, table.c.region, table.c.topic, table.c.handled, closed_at)
            query = _since(query.order_by(table.c.id), table.c.created_at, since)
            cases = [
                CaseRow(_naive(r[0]), r[1], r[2], bool(r[3]), _naive(_moment(r[4])) if r[4] else None)
                for r in connection.execute(query)
            ]
        closing = "handled_at" in columns_of_cases or "staff_audit" in tables
        feedback: list[FeedbackRow] = []
        if "feedback" in tables:
            table = Feedback.__table__
            query = select(table.c.created_at, table.c.positive, table.c.clause_refs).order_by(table.c.id)
            feedback = [
                FeedbackRow(_naive(r[0]), bool(r[1]), tuple(str(x) for x in (r[2] or ())))
                for r in connection.execute(_since(query, table.c.created_at, since))
            ]
        unanswered: list[UnansweredRow] = []
        if "unanswered_questions" in tables:
            table = UnansweredQuestion.__table__
            query = select(table.c.created_at, table.c.conversation_id, table.c.text, table.c.region).order_by(
                table.c.id
            )
            unanswered = [
                UnansweredRow(_naive(r[0]), r[1], r[2], r[3])
                for r in connection.execute(_since(query, table.c.created_at, since))
            ]
        reviews: list[ReviewRow] = []
        if "staff_audit" in tables:
            audit = StaffAudit.__table__
            query = select(audit.c.at, audit.c.action).where(audit.c.action.in_(REVIEW_ACTIONS)).order_by(audit.c.id)
            reviews = [
                ReviewRow(_naive(r[0]), str(r[1]).removeprefix("review_"))
                for r in connection.execute(_since(query, audit.c.at, since))
            ]
        corrections: list[CorrectionRow] = []
        if "reviewed_examples" in tables:
            examples = ReviewedExample.__table__
            query = (
                select(examples.c.added_at, examples.c.read_as, examples.c.intent)
                .where(examples.c.corrected.is_(True))
                .order_by(examples.c.id)
            )
            corrections = [
                CorrectionRow(_naive(r[0]), r[1], r[2])
                for r in connection.execute(_since(query, examples.c.added_at, since))
            ]
    return StoreData(cases, feedback, unanswered, closing, reviews, corrections)


def _closed_at(cases: Any, columns: set[str], tables: set[str]) -> ColumnElement[Any]:
    """When a case was marked handled: its own ``handled_at`` column if the records keep one, else the first
    "handled" line of the staff audit trail (``staff_audit``: action, record_kind ``cases``, record_id, at), else
    NULL — time to close is then reported as not recorded rather than guessed."""
    if "handled_at" in columns:
        return sql_column("handled_at", DateTime(timezone=True))
    if "staff_audit" in tables:
        audit = sql_table(
            "staff_audit",
            sql_column("at", DateTime(timezone=True)),
            sql_column("action"),
            sql_column("record_kind"),
            sql_column("record_id"),
        )
        first: ColumnElement[Any] = (
            select(func.min(audit.c.at))
            .where(audit.c.action == "handled", audit.c.record_kind == "cases", audit.c.record_id == cases.c.id)
            .scalar_subquery()
        )
        return first
    return null()


def _moment(value: Any) -> datetime:
    """``min()`` over a DateTime comes back from SQLite as text; anything else is a datetime already."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _since(query: Any, column: Any, since: datetime | None) -> Any:
    return query if since is None else query.where(column >= since)


def _naive(moment: datetime) -> datetime:
    """UTC without tzinfo (SQLite returns naive datetimes, PostgreSQL aware ones)."""
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment
