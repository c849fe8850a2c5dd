"""Writing and reading staff-facing records. The caller owns the engine; each call is one short transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select, true, update
from sqlalchemy.orm import Session

from bot.store.models import Feedback, HandoffCase, StoreBase, UnansweredQuestion
from bot.store.staff import StaffAudit
from bot.store.text import clean_for_storage

MAX_TEXT = 2000  # what a record keeps of a user's message; the rest is not needed to call back
MAX_CASE_MESSAGES = 30  # an open case keeps the latest messages of its conversation
RECORD_KINDS: dict[str, Any] = {"cases": HandoffCase, "unanswered": UnansweredQuestion, "feedback": Feedback}


@dataclass(frozen=True)
class CaseReceipt:
    case_number: str
    created_at: datetime


def ensure_tables(engine: Engine) -> None:
    StoreBase.metadata.create_all(engine)


def open_case(
    engine: Engine,
    conversation_id: str,
    user_messages: list[str],
    region: str | None,
    topic: str | None,
    channel: str = "web",
) -> CaseReceipt:
    """A case for this conversation: the open one if there is one (asking again adds the messages to it and
    gives the same number), else a new one. One conversation can so never fill the queue with cases."""
    with Session(engine) as session, session.begin():
        existing = session.scalars(
            select(HandoffCase)
            .where(HandoffCase.conversation_id == conversation_id[:200], HandoffCase.handled.is_(False))
            .order_by(HandoffCase.id.desc())
            .limit(1)
        ).first()
        if existing is not None and existing.case_number:
            messages = [*existing.user_messages, *(clean_for_storage(m)[:MAX_TEXT] for m in user_messages)]
            existing.user_messages = messages[-MAX_CASE_MESSAGES:]
            existing.region = _clean(region) or existing.region
            existing.topic = _clean(topic) or existing.topic
            return CaseReceipt(existing.case_number, existing.created_at)
        case = HandoffCase(
            conversation_id=conversation_id[:200],
            channel=channel[:30],
            region=_clean(region),
            topic=_clean(topic),
            user_messages=[clean_for_storage(m)[:MAX_TEXT] for m in user_messages],
        )
        session.add(case)
        session.flush()
        # The number is derived from the row id, so two action servers can never hand out the same one.
        case.case_number = f"IPR{case.created_at:%Y%m%d}-{case.id:05d}"
        return CaseReceipt(case.case_number, case.created_at)


def record_feedback(
    engine: Engine, conversation_id: str, positive: bool, clause_refs: list[str], user_text: str
) -> int:
    with Session(engine) as session, session.begin():
        row = Feedback(
            conversation_id=conversation_id[:200],
            positive=positive,
            clause_refs=clause_refs,
            user_text=clean_for_storage(user_text)[:MAX_TEXT],
        )
        session.add(row)
        session.flush()
        return row.id


def record_unanswered(
    engine: Engine, conversation_id: str, text: str, region: str | None, suggested_refs: list[str]
) -> int:
    with Session(engine) as session, session.begin():
        row = UnansweredQuestion(
            conversation_id=conversation_id[:200],
            text=clean_for_storage(text)[:MAX_TEXT],
            region=_clean(region),
            suggested_refs=suggested_refs,
        )
        session.add(row)
        session.flush()
        return row.id


def _clean(value: str | None) -> str | None:
    return clean_for_storage(value)[:40] if value else value


def find_case(engine: Engine, case_number: str) -> HandoffCase | None:
    with Session(engine) as session:
        return session.scalars(select(HandoffCase).where(HandoffCase.case_number == case_number)).first()


@dataclass(frozen=True)
class RecordPage:
    rows: list[Any]
    total: int  # records of this kind (negative feedback only, for feedback)
    open: int  # of which not handled yet


def record_page(engine: Engine, kind: str, page: int, page_size: int) -> RecordPage:
    """One page of a kind of record, unhandled first, newest first within each: the work waiting is on page 1
    however many records (or spam cases) there are. Only negative feedback is listed."""
    model = RECORD_KINDS[kind]
    condition: ColumnElement[bool] = model.positive.is_(False) if kind == "feedback" else true()
    with Session(engine) as session:
        statement = (
            select(model)
            .where(condition)
            .order_by(model.handled, model.created_at.desc(), model.id.desc())
            .offset(max(page - 1, 0) * page_size)
            .limit(page_size)
        )
        rows = list(session.scalars(statement))
        total = session.scalar(select(func.count()).select_from(model).where(condition)) or 0
        waiting = session.scalar(select(func.count()).select_from(model).where(condition, model.handled.is_(False)))
        return RecordPage(rows, total, waiting or 0)


def mark_handled(engine: Engine, kind: str, record_id: int, operator: str) -> bool:
    """Mark one record as handled and note who did it in the audit trail; False when there is no such record."""
    model = RECORD_KINDS[kind]
    with Session(engine) as session, session.begin():
        result = session.execute(update(model).where(model.id == record_id).values(handled=True))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            return False
        session.add(StaffAudit(account_name=operator, action="handled", record_kind=kind, record_id=record_id))
        return True
