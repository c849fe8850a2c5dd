"""SQL tables of the staff-facing records."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class StoreBase(DeclarativeBase):
    pass


# A record's id is its public number (a case's ``IPR…-00017``) and the audit trail's reference: an id is never
# given out twice, even after the newest record was deleted. SQLite reuses the largest rowid without AUTOINCREMENT;
# PostgreSQL's sequence never goes back. Older SQLite tables are rebuilt with it by ``bot.store.ids``.
NEVER_REUSED = {"sqlite_autoincrement": True}


class HandoffCase(StoreBase):
    """A user asked for a person; staff see it in the console with the case number the user was given."""

    __tablename__ = "handoff_cases"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(30), default="web")
    region: Mapped[str | None] = mapped_column(String(40))
    topic: Mapped[str | None] = mapped_column(String(40))
    user_messages: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled: Mapped[bool] = mapped_column(Boolean, default=False)  # closed by an operator
    # Added for the handoff that reaches a person (nullable: ``ensure_tables`` adds them to an older table).
    transcript: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # [{"who": "user"|"bot", "text"}]
    regions: Mapped[list[str] | None] = mapped_column(JSON)  # every region mentioned, Chinese names
    topics: Mapped[list[str] | None] = mapped_column(JSON)  # every topic mentioned, Chinese names
    cited_refs: Mapped[list[str] | None] = mapped_column(JSON)  # every clause the bot cited, in order
    contact: Mapped[str | None] = mapped_column(String(120))  # validated, normalised (see bot.store.contact)
    contact_kind: Mapped[str | None] = mapped_column(String(10))  # phone | wechat | email
    reply: Mapped[str | None] = mapped_column(Text)  # the operator's reply, shown to the user on 查询
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # internal: [{"by", "at", "text"}]
    # When an operator closed it (the report dates closings by the audit trail's "handled" rows, as before).
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where the operator's reply is sent on the user's platform (``bot.gateway.delivery``): the gateway's own
    # reading of the platform's callback, e.g. {"user": "<openid>"} or {"user": "<staffId>", "chat": "<cid>"}.
    reply_to: Mapped[dict[str, str] | None] = mapped_column(JSON)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # = replied_at once claimed
    delivery_error: Mapped[str | None] = mapped_column(String(200))  # the platform's refusal, for the console


class Feedback(StoreBase):
    """A thumbs up or down on an answer, stored with the clauses that answer cited."""

    __tablename__ = "feedback"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    positive: Mapped[bool] = mapped_column(Boolean)
    clause_refs: Mapped[list[str]] = mapped_column(JSON)
    user_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(20))  # "哪里没帮上？" after a 没用 (FEEDBACK_REASONS), optional


class UnansweredQuestion(StoreBase):
    """A question the assistant could not map to a topic with confidence (the retrieval fallback answered)."""

    __tablename__ = "unanswered_questions"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    text: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(40))
    suggested_refs: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseLookupMiss(StoreBase):
    """A "查询 <编号> <后四位>" whose last four did not match the case's contact: counted so that nobody can try
    all 10,000 endings of a case number they guessed (see ``bot.store.records.case_status``)."""

    __tablename__ = "case_lookup_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(30), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServiceContact(StoreBase):
    """How the public reaches an agency a plan names, as the office publishes it (服务目录): kept by staff, never
    made up. One row per (plan, agency as the plan writes it)."""

    __tablename__ = "service_contacts"
    __table_args__ = (UniqueConstraint("plan", "agency", name="uq_service_contact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str] = mapped_column(String(40))  # the plan's slug: the agency of that region
    agency: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewItem(StoreBase):
    """A real message in the 待标注 inbox: masked before it was stored, with the assistant's reading and reply, until
    a reviewer confirms, corrects or discards it (``bot.review.inbox``). Purged and deleted like every record."""

    __tablename__ = "review_inbox"
    __table_args__ = NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)  # for deletion on request only
    channel: Mapped[str] = mapped_column(String(30), index=True)
    text: Mapped[str] = mapped_column(Text)  # masked (bot.review.mask)
    intent: Mapped[str | None] = mapped_column(String(40))  # the need the assistant read
    confidence: Mapped[float] = mapped_column(Float, index=True)
    side: Mapped[str | None] = mapped_column(String(10))
    region: Mapped[str | None] = mapped_column(String(40))  # Chinese name, as the answer names it
    subject: Mapped[str | None] = mapped_column(String(40))
    reply_kind: Mapped[str] = mapped_column(String(20))
    reply_text: Mapped[str] = mapped_column(Text)  # the verdict the user was given (masked too: it may echo them)
    refs: Mapped[list[str]] = mapped_column(JSON)
    negative_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|confirmed|discarded
    reply_verdict: Mapped[str | None] = mapped_column(String(8))  # good | wrong, the reviewer's mark on the reply
    example_id: Mapped[int | None] = mapped_column(Integer)  # the training example a confirmation made
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewedExample(StoreBase):
    """A confirmed training example: the masked text and its labels, with its provenance (day, channel) only — no
    conversation id, so it outlives the conversation's purge or deletion (``bot.review.export`` writes them)."""

    __tablename__ = "reviewed_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(40))
    side: Mapped[str | None] = mapped_column(String(10))  # holder | accused | None (not said)
    region: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(40))
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)  # the reviewer changed the assistant's reading
    read_as: Mapped[str | None] = mapped_column(String(40))  # the need the assistant read (the report's corrections)
    channel: Mapped[str] = mapped_column(String(30))
    asked_on: Mapped[date] = mapped_column(Date)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
