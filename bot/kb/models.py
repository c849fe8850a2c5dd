"""SQL tables of the knowledge base (SQLAlchemy 2.x typed models).

Clauses and tasks carry a stable ``ref`` (``guizhou/17``, ``yunnan/task-57``) that stays the same across rebuilds,
so records that refer to a clause (feedback, handoff cases) never point at the wrong text after ``make kb``.

Every version of a plan is stored (``kb_documents.version``); the version in force keeps the plain refs and
superseded versions carry the version in theirs (``guizhou@1/17``). ``kb_changes`` holds the clause-level
alignment between consecutive versions of a plan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "kb_documents"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    in_force: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    issued: Mapped[str | None] = mapped_column(String(10))  # ISO date of 印发, when known
    added_at: Mapped[str | None] = mapped_column(String(40))  # when this version came into force here
    superseded_at: Mapped[str | None] = mapped_column(String(40))
    file: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(40))
    province: Mapped[str] = mapped_column(String(40), index=True)
    level: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(200))
    doc_number: Mapped[str | None] = mapped_column(String(60))
    date: Mapped[str | None] = mapped_column(String(40))
    published: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    parent: Mapped[str | None] = mapped_column(Text)
    annex_title: Mapped[str | None] = mapped_column(String(200))
    leadership_group: Mapped[str | None] = mapped_column(String(100))
    leadership_office: Mapped[str | None] = mapped_column(Text)

    sections: Mapped[list[Section]] = relationship(back_populates="document", order_by="Section.ordinal")
    clauses: Mapped[list[Clause]] = relationship(back_populates="document", order_by="Clause.ordinal")
    tasks: Mapped[list[Task]] = relationship(back_populates="document", order_by="Task.number")
    leadership: Mapped[list[LeadershipMember]] = relationship(order_by="LeadershipMember.position")


class Section(Base):
    __tablename__ = "kb_sections"
    __table_args__ = (UniqueConstraint("document_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_documents.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    part: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("kb_sections.id"))

    document: Mapped[Document] = relationship(back_populates="sections")


class Clause(Base):
    __tablename__ = "kb_clauses"
    __table_args__ = (UniqueConstraint("document_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_documents.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("kb_sections.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    assignment: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[str | None] = mapped_column(String(40))

    document: Mapped[Document] = relationship(back_populates="clauses")
    section: Mapped[Section | None] = relationship()
    roles: Mapped[list[ClauseAgency]] = relationship(order_by="ClauseAgency.position")


class Agency(Base):
    __tablename__ = "kb_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)


class ClauseAgency(Base):
    """An agency's role (lead / responsible) in one clause, in the order the plan lists them."""

    __tablename__ = "kb_clause_agencies"
    __table_args__ = (CheckConstraint("role in ('lead', 'responsible')", name="ck_clause_agency_role"),)

    clause_id: Mapped[int] = mapped_column(ForeignKey("kb_clauses.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("kb_agencies.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    agency: Mapped[Agency] = relationship()


class Task(Base):
    __tablename__ = "kb_tasks"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_documents.id"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("kb_sections.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[str | None] = mapped_column(String(80))

    document: Mapped[Document] = relationship(back_populates="tasks")
    section: Mapped[Section | None] = relationship()


class Topic(Base):
    __tablename__ = "kb_topics"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    asks: Mapped[list[str]] = mapped_column(JSON)


class Tag(Base):
    """A topic found in a clause or a task, with the sentences that matched (what an answer quotes)."""

    __tablename__ = "kb_tags"
    __table_args__ = (
        CheckConstraint("(clause_id is null) <> (task_id is null)", name="ck_tag_target"),
        UniqueConstraint("topic_id", "clause_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[str] = mapped_column(ForeignKey("kb_topics.id"), index=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("kb_clauses.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("kb_tasks.id"))
    in_title: Mapped[bool] = mapped_column()
    score: Mapped[float] = mapped_column()
    sentences: Mapped[list[Any]] = mapped_column(JSON)


class LeadershipMember(Base):
    __tablename__ = "kb_leadership_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("kb_documents.id"))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(40))
    post: Mapped[str] = mapped_column(String(200))


class Change(Base):
    """One row of the clause-level alignment of two consecutive versions of a plan.

    ``kind`` is unchanged / changed / added / removed / split / merged; ``old_refs`` and ``new_refs`` are the
    clauses on either side (several for a split or a merge); ``details`` holds which sentences, agencies and
    deadline changed, as ``bot.kb.align.ClauseChange.details()`` writes them.
    """

    __tablename__ = "kb_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), index=True)
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    old_refs: Mapped[list[str]] = mapped_column(JSON)
    new_refs: Mapped[list[str]] = mapped_column(JSON)
    similarity: Mapped[float] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


KB_TABLES = [table for table in reversed(Base.metadata.sorted_tables)]  # children first, for clearing
