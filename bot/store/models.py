"""SQL tables of the staff-facing records."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, String, Text, UniqueConstraint
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
