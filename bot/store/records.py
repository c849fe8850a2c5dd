"""Writing and reading staff-facing records. The caller owns the engine; each call is one short transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, inspect, select, text, true, update
from sqlalchemy.orm import Session

from bot.store import ids
from bot.store.contact import Contact
from bot.store.models import CaseLookupMiss, Feedback, HandoffCase, StoreBase, UnansweredQuestion, utcnow
from bot.store.staff import StaffAudit
from bot.store.text import as_written, clean_for_storage

MAX_TEXT = 2000  # what a record keeps of a user's message; the rest is not needed to call back
MAX_CASE_MESSAGES = 30  # an open case keeps the latest messages of its conversation
MAX_TRANSCRIPT = 200  # turns (user and bot) a case keeps of its conversation, the latest ones
MAX_REPLY = 2000  # an operator's reply or note
PROOF_LENGTH = 4  # "查询 <编号> <联系方式后四位>" from another tab or device
MISSES_PER_CASE = 5  # wrong endings a case number accepts per MISS_WINDOW; then even the right one is refused
MISS_WINDOW = timedelta(hours=1)
RECORD_KINDS: dict[str, Any] = {"cases": HandoffCase, "unanswered": UnansweredQuestion, "feedback": Feedback}


@dataclass(frozen=True)
class CaseReceipt:
    case_number: str
    created_at: datetime


def ensure_tables(engine: Engine) -> None:
    """Create the tables, rebuild older SQLite record tables so that ids are never reused (``ids``), and add the
    columns a newer version of a model has to an older table (all nullable)."""
    StoreBase.metadata.create_all(engine)
    ids.upgrade(engine)
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in StoreBase.metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def _open_case(session: Session, conversation_id: str) -> HandoffCase | None:
    """This conversation's open (not yet handled) case, the newest if there were ever several."""
    return session.scalars(
        select(HandoffCase)
        .where(HandoffCase.conversation_id == conversation_id[:200], HandoffCase.handled.is_(False))
        .order_by(HandoffCase.id.desc())
        .limit(1)
    ).first()


def open_case(
    engine: Engine,
    conversation_id: str,
    user_messages: list[str],
    region: str | None,
    topic: str | None,
    channel: str = "web",
    *,
    transcript: list[dict[str, str]] | None = None,
    regions: list[str] | None = None,
    topics: list[str] | None = None,
    refs: list[str] | None = None,
    reply_to: dict[str, str] | None = None,
) -> CaseReceipt:
    """A case for this conversation: the open one if there is one (asking again adds the messages to it and
    gives the same number), else a new one. One conversation can so never fill the queue with cases.

    ``transcript`` is the whole conversation as the user saw it (their words, the titles of buttons they clicked,
    the bot's answers); ``regions`` and ``topics`` every one mentioned (Chinese names); ``refs`` every clause cited;
    ``reply_to`` where a reply reaches the user on their platform (latest wins).
    """
    kept = _transcript(transcript or [])
    details: dict[str, list[str]] = {
        "regions": [_clean(r) or "" for r in dict.fromkeys(regions or [])],
        "topics": [_clean(t) or "" for t in dict.fromkeys(topics or [])],
        "cited_refs": list(dict.fromkeys(refs or []))[:200],
    }
    with Session(engine) as session, session.begin():
        existing = _open_case(session, conversation_id)
        if existing is not None and existing.case_number:
            messages = [*existing.user_messages, *(clean_for_storage(m)[:MAX_TEXT] for m in user_messages)]
            existing.user_messages = messages[-MAX_CASE_MESSAGES:]
            existing.region = _clean(region) or existing.region
            existing.topic = _clean(topic) or existing.topic
            if kept:
                existing.transcript = kept
            existing.reply_to = reply_to or existing.reply_to
            for field in ("regions", "topics", "cited_refs"):
                setattr(existing, field, list(dict.fromkeys([*(getattr(existing, field) or []), *details[field]])))
            return CaseReceipt(existing.case_number, existing.created_at)
        case = HandoffCase(
            conversation_id=conversation_id[:200],
            channel=channel[:30],
            region=_clean(region),
            topic=_clean(topic),
            user_messages=[clean_for_storage(m)[:MAX_TEXT] for m in user_messages],
            notes=[],
            transcript=kept,
            reply_to=reply_to,
            **details,
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


# What a user may say went wrong after 没用: a fixed set, so that nothing they type is stored here.
FEEDBACK_REASONS = {"unanswered": "没回答我的问题", "wrong": "信息不准确", "contact": "找不到联系方式", "other": "其他"}
REASON_WINDOW = timedelta(minutes=30)


def add_feedback_reason(engine: Engine, conversation_id: str, reason: str) -> bool:
    """The reason for this conversation's latest 没用 of the last half hour that has none yet; False when none."""
    if reason not in FEEDBACK_REASONS:
        raise ValueError(reason)
    with Session(engine) as session, session.begin():
        row = session.scalars(
            select(Feedback)
            .where(
                Feedback.conversation_id == conversation_id[:200],
                Feedback.positive.is_(False),
                Feedback.reason.is_(None),
                Feedback.created_at >= utcnow() - REASON_WINDOW,
            )
            .order_by(Feedback.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return False
        row.reason = reason
        return True


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


def record_page(engine: Engine, kind: str, page: int, page_size: int, only_open: bool = False) -> RecordPage:
    """One page of a kind of record, unhandled first, newest first within each: the work waiting is on page 1
    however many records (or spam cases) there are. Only negative feedback is listed; ``only_open`` lists only
    what is not handled yet (the console's 未处理 tab)."""
    model = RECORD_KINDS[kind]
    condition: ColumnElement[bool] = model.positive.is_(False) if kind == "feedback" else true()
    listed = condition & model.handled.is_(False) if only_open else condition
    with Session(engine) as session:
        statement = (
            select(model)
            .where(listed)
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
        values: dict[str, Any] = {"handled": True}
        if kind == "cases":
            values["closed_at"] = utcnow()
        result = session.execute(update(model).where(model.id == record_id).values(**values))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            return False
        session.add(StaffAudit(account_name=operator, action="handled", record_kind=kind, record_id=record_id))
        return True


def _transcript(turns: list[dict[str, str]]) -> list[dict[str, str]]:
    """The user's words cleaned as every record is (NFKC, no invisible characters); the bot's own text as sent
    (NFKC would turn its Chinese punctuation into ASCII), without control characters."""
    kept = []
    for turn in turns:
        raw = str(turn.get("text", ""))
        if turn.get("who") == "user":
            kept.append({"who": "user", "text": clean_for_storage(raw)[:MAX_TEXT]})
        else:
            kept.append({"who": "bot", "text": as_written(raw)[:MAX_TEXT]})
    return [t for t in kept if t["text"]][-MAX_TRANSCRIPT:]


def set_contact(engine: Engine, conversation_id: str, contact: Contact) -> str | None:
    """Attach a contact to this conversation's open case; its number, or None when there is no open case."""
    with Session(engine) as session, session.begin():
        case = _open_case(session, conversation_id)
        if case is None:
            return None
        case.contact, case.contact_kind = contact.value[:120], contact.kind
        return case.case_number


def open_case_without_contact(engine: Engine, conversation_id: str) -> str | None:
    """The number of this conversation's open case when it has no contact yet (a contact may still come)."""
    with Session(engine) as session:
        return session.scalars(
            select(HandoffCase.case_number)
            .where(
                HandoffCase.conversation_id == conversation_id[:200],
                HandoffCase.handled.is_(False),
                HandoffCase.contact.is_(None),
            )
            .order_by(HandoffCase.id.desc())
            .limit(1)
        ).first()


@dataclass(frozen=True)
class CaseStatus:
    """What "查询 IPR…" shows: the state, and the operator's reply (only to the conversation that opened it, or to
    whoever adds the last four characters of the contact left on the case)."""

    case_number: str
    state: str  # open | replied | closed
    reply: str | None
    replied_at: datetime | None
    own: bool  # asked from the conversation that opened the case, or with the contact's last four
    has_contact: bool = False  # whether a lookup from elsewhere is possible at all


def contact_ending(contact: str, kind: str | None) -> str:
    """The last four characters a user proves a case with: a phone's last four digits, an e-mail's last four before
    the @, a WeChat id's last four; lower case (people type ids in any case)."""
    if kind == "phone":
        return "".join(ch for ch in contact if ch.isdigit())[-PROOF_LENGTH:]
    if kind == "email":
        contact = contact.rsplit("@", 1)[0]
    return contact[-PROOF_LENGTH:].lower()


def case_status(engine: Engine, case_number: str, conversation_id: str, proof: str | None = None) -> CaseStatus | None:
    """The case's state for this conversation. ``proof`` (the contact's last four) opens it from elsewhere; a wrong
    proof, or any proof once the case has had ``MISSES_PER_CASE`` wrong ones within ``MISS_WINDOW``, gets None —
    the same answer as a number that does not exist, so a guess learns nothing."""
    number = case_number.strip().upper()
    with Session(engine) as session, session.begin():
        case = session.scalars(select(HandoffCase).where(HandoffCase.case_number == number)).first()
        if case is None or not case.case_number:
            return None
        own = case.conversation_id == conversation_id
        if proof is not None and not own:
            since = utcnow() - MISS_WINDOW
            misses = session.scalar(
                select(func.count())
                .select_from(CaseLookupMiss)
                .where(CaseLookupMiss.case_number == number, CaseLookupMiss.at >= since)
            )
            matches = bool(case.contact) and contact_ending(case.contact or "", case.contact_kind) == proof.lower()
            if (misses or 0) >= MISSES_PER_CASE or not matches:
                session.add(CaseLookupMiss(case_number=number))
                return None
            own = True
        state = "closed" if case.handled else ("replied" if case.reply else "open")
        return CaseStatus(case.case_number, state, case.reply, case.replied_at, own, bool(case.contact))


def get_case(engine: Engine, case_id: int) -> HandoffCase | None:
    with Session(engine) as session:
        return session.get(HandoffCase, case_id)


def update_case(engine: Engine, case_id: int, operator: str, action: str, body: str = "") -> HandoffCase | None:
    """An operator's change to a case — ``reply`` (what the user sees on 查询), ``note`` (staff only), ``close``,
    ``reopen`` — recorded in the audit trail with who and when. None when there is no such case."""
    now = utcnow()
    with Session(engine) as session, session.begin():
        case = session.get(HandoffCase, case_id)
        if case is None:
            return None
        words = as_written(body)[:MAX_REPLY]  # an operator's Chinese punctuation stays as typed
        if action == "reply":
            case.reply, case.replied_at = words, now
        elif action == "note":
            case.notes = [*(case.notes or []), {"by": operator, "at": now.isoformat(), "text": words}]
        elif action == "close":
            case.handled, case.closed_at = True, now
        elif action == "reopen":
            case.handled, case.closed_at = False, None
        else:
            raise ValueError(action)
        done = "handled" if action == "close" else action  # closing is "handled", as the list's button records it
        detail = words if action in ("reply", "note") else None
        session.add(
            StaffAudit(
                account_name=operator, action=done, record_kind="cases", record_id=case_id, at=now, detail=detail
            )
        )
        session.flush()
        session.expunge(case)
        return case


@dataclass(frozen=True)
class SentReply:
    """An operator's reply as the user's page receives it (``bot.gateway.push``)."""

    conversation_id: str
    case_number: str
    reply: str
    replied_at: datetime


def replies_since(engine: Engine, since: datetime, conversation_id: str | None = None) -> list[SentReply]:
    """Replies written after ``since``, oldest first: every conversation's, or one conversation's."""
    query = select(HandoffCase).where(
        HandoffCase.replied_at > since, HandoffCase.reply.is_not(None), HandoffCase.case_number.is_not(None)
    )
    if conversation_id is not None:
        query = query.where(HandoffCase.conversation_id == conversation_id)
    with Session(engine) as session:
        return [
            SentReply(c.conversation_id, str(c.case_number), str(c.reply), _aware(c.replied_at))
            for c in session.scalars(query.order_by(HandoffCase.replied_at).limit(500))
            if c.replied_at is not None
        ]


@dataclass(frozen=True)
class Delivery:
    """An operator's reply to send through the user's platform (公众号, 企业微信, 钉钉, 飞书)."""

    case_id: int
    case_number: str
    channel: str
    reply_to: dict[str, str]
    reply: str


def claim_deliveries(engine: Engine, channels: tuple[str, ...], limit: int = 20) -> list[Delivery]:
    """Replies not yet sent on these channels, each claimed by this caller only: a conditional update marks it
    sent-as-of its reply time, so of several gateways exactly one sends it, once (a new reply is a new delivery)."""
    if not channels:
        return []
    waiting = (
        HandoffCase.replied_at.is_not(None),
        HandoffCase.reply.is_not(None),
        HandoffCase.reply_to.is_not(None),
        HandoffCase.channel.in_(channels),
        (HandoffCase.delivered_at.is_(None)) | (HandoffCase.delivered_at < HandoffCase.replied_at),
    )
    claimed = []
    with Session(engine) as session:
        rows = session.scalars(select(HandoffCase).where(*waiting).order_by(HandoffCase.replied_at).limit(limit))
        candidates = [(c.id, c.replied_at, str(c.case_number), c.channel, c.reply_to, str(c.reply)) for c in rows]
    for case_id, replied_at, number, channel, reply_to, reply in candidates:
        with Session(engine) as session, session.begin():
            won = session.execute(
                update(HandoffCase)
                .where(HandoffCase.id == case_id, HandoffCase.replied_at == replied_at, *waiting)
                .values(delivered_at=replied_at, delivery_error=None)
            ).rowcount  # type: ignore[attr-defined]
        if won == 1 and isinstance(reply_to, dict):
            claimed.append(Delivery(case_id, number, channel, {str(k): str(v) for k, v in reply_to.items()}, reply))
    return claimed


def delivery_failed(engine: Engine, case_id: int, reason: str) -> None:
    """The platform refused: the console shows why (the user can still read the reply with 查询)."""
    with Session(engine) as session, session.begin():
        session.execute(update(HandoffCase).where(HandoffCase.id == case_id).values(delivery_error=reason[:200]))


def _aware(moment: datetime) -> datetime:
    """SQLite hands a stored UTC time back without its zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def newest_case(engine: Engine) -> tuple[int, int]:
    """The id of the newest case and how many are open: what the console polls for its new-case badge."""
    with Session(engine) as session:
        newest = session.scalar(select(func.max(HandoffCase.id))) or 0
        waiting = session.scalar(select(func.count()).select_from(HandoffCase).where(HandoffCase.handled.is_(False)))
        return int(newest), int(waiting or 0)


def case_history(engine: Engine, case_id: int) -> list[tuple[datetime, str, str, str | None]]:
    """Every change operators made to a case, oldest first: (when, who, what, the text of a reply or note)."""
    with Session(engine) as session:
        rows = session.execute(
            select(StaffAudit.at, StaffAudit.account_name, StaffAudit.action, StaffAudit.detail)
            .where(StaffAudit.record_kind == "cases", StaffAudit.record_id == case_id)
            .order_by(StaffAudit.id)
        ).all()
    return [(at, name, action, detail) for at, name, action, detail in rows]


def cited_records(engine: Engine, limit: int = 2000) -> list[tuple[str, Any, list[str]]]:
    """The newest records that cited clauses: (kind, row, refs) — cases, feedback, unanswered questions."""
    found: list[tuple[str, Any, list[str]]] = []
    with Session(engine) as session:
        sources: list[tuple[str, Any, Any]] = [
            ("cases", HandoffCase, HandoffCase.cited_refs),
            ("feedback", Feedback, Feedback.clause_refs),
            ("unanswered", UnansweredQuestion, UnansweredQuestion.suggested_refs),
        ]
        for kind, model, column in sources:
            rows = session.scalars(select(model).order_by(model.id.desc()).limit(limit))
            found.extend((kind, row, list(refs)) for row in rows if (refs := getattr(row, column.key)))
    return found
