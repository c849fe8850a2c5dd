"""Writing and reading staff-facing records. The caller owns the engine; each call is one short transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import Feedback, HandoffCase, StoreBase, UnansweredQuestion
from bot.store.text import clean_for_storage

MAX_TEXT = 2000  # what a record keeps of a user's message; the rest is not needed to call back


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
    with Session(engine) as session, session.begin():
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
