"""Read-only views of the knowledge base, detached from any session, and how they are loaded.

The whole knowledge base is a few hundred rows; the query layer loads it once into these frozen records and
answers every question in memory (microseconds), so a busy action server never waits on SQL for a lookup.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from bot.kb import models
from bot.kb.agencies import KINDS_BY_ID
from bot.kb.manifest import PlanFacts
from bot.kb.numbering import display_number
from bot.kb.records import ROLE_LABELS


@dataclass(frozen=True)
class LeaderView:
    role: str
    name: str | None
    post: str


@dataclass(frozen=True)
class DocumentView(PlanFacts):
    slug: str
    annex_title: str | None
    leadership_group: str | None
    leadership_office: str | None
    leadership: tuple[LeaderView, ...]
    clause_count: int
    task_count: int
    version: int = 1
    in_force: bool = True
    issued: str | None = None  # ISO date of 印发, when known
    added_at: str | None = None  # when this version came into force in the knowledge base
    superseded_at: str | None = None

    @property
    def ref_prefix(self) -> str:
        """What this version's refs start with: ``guizhou`` in force, ``guizhou@1`` when superseded."""
        return self.slug if self.in_force else f"{self.slug}@{self.version}"

    @property
    def citation(self) -> str:
        return f"《{self.title}》"

    @property
    def dated(self) -> str:
        """印发日期 or publication date as the text gives it; plainly says when the text gives none."""
        if self.date:
            return self.date
        if self.published:
            return f"{self.published}发布"
        return "原文未注明日期"


@dataclass(frozen=True)
class AgencyView:
    name: str
    role: str
    kind: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def kind_label(self) -> str:
        return KINDS_BY_ID[self.kind].label


@dataclass(frozen=True)
class ClauseView:
    ref: str
    document: DocumentView
    section: str | None
    ordinal: int
    number: str
    title: str
    text: str
    body: str
    agencies: tuple[AgencyView, ...]
    deadline: str | None
    topics: dict[str, tuple[str, ...]] = field(hash=False, compare=False)

    kind = "clause"

    @property
    def leads(self) -> tuple[AgencyView, ...]:
        return tuple(a for a in self.agencies if a.role == "lead")

    @property
    def responsible(self) -> tuple[AgencyView, ...]:
        return tuple(a for a in self.agencies if a.role == "responsible")

    @property
    def citation(self) -> str:
        return f"{self.document.citation}{display_number(self.ordinal)}（原文编号{self.number}）"

    @property
    def label(self) -> str:
        return f"{display_number(self.ordinal)} {self.title}"


@dataclass(frozen=True)
class TaskView:
    ref: str
    document: DocumentView
    section: str | None
    number: int
    text: str
    deadline: str | None
    topics: dict[str, tuple[str, ...]] = field(hash=False, compare=False)

    kind = "task"
    agencies: tuple[AgencyView, ...] = ()
    leads: tuple[AgencyView, ...] = ()  # the plan names no unit for a task of its 推进计划
    responsible: tuple[AgencyView, ...] = ()

    @property
    def title(self) -> str:
        return self.text.split("。", 1)[0]

    @property
    def citation(self) -> str:
        return f"{self.document.citation}附件《{self.document.annex_title}》第{self.number}项"

    @property
    def label(self) -> str:
        return f"推进计划第{self.number}项"


Item = ClauseView | TaskView


@dataclass(frozen=True)
class Snapshot:
    documents: tuple[DocumentView, ...]
    clauses: tuple[ClauseView, ...]
    tasks: tuple[TaskView, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        """Clauses, then tasks: everything an answer can cite."""
        return (*self.clauses, *self.tasks)


def _section_label(section: models.Section | None, by_id: dict[int, models.Section]) -> str | None:
    if section is None:
        return None
    label = f"{section.number}{section.title}"
    parent = by_id.get(section.parent_id) if section.parent_id else None
    return f"{parent.number}{parent.title} › {label}" if parent else label


def load_snapshot(engine: Engine, in_force: bool = True) -> Snapshot:
    """Everything the query layer needs, in document → clause/task order: the versions in force of the plans, or
    (``in_force=False``) the superseded versions, which history and explicit questions about a draft read."""
    with Session(engine) as session:
        documents = session.scalars(
            select(models.Document)
            .where(models.Document.in_force.is_(in_force))
            .options(
                selectinload(models.Document.sections),
                selectinload(models.Document.leadership),
                selectinload(models.Document.clauses)
                .selectinload(models.Clause.roles)
                .selectinload(models.ClauseAgency.agency),
                selectinload(models.Document.tasks),
            )
            .order_by(models.Document.id)
        ).all()
        tags: dict[tuple[str, int], dict[str, tuple[str, ...]]] = defaultdict(dict)
        if not documents:
            return Snapshot((), (), ())
        for tag in session.scalars(select(models.Tag).order_by(models.Tag.score.desc(), models.Tag.id)):
            key = ("clause", tag.clause_id) if tag.clause_id is not None else ("task", tag.task_id or 0)
            tags[key][tag.topic_id] = tuple(tag.sentences)

        document_views, clause_views, task_views = [], [], []
        for document in documents:
            sections = {section.id: section for section in document.sections}
            view = DocumentView(
                slug=document.slug,
                region=document.region,
                province=document.province,
                level=document.level,
                title=document.title,
                issuer=document.issuer,
                doc_number=document.doc_number,
                date=document.date,
                published=document.published,
                status=document.status,
                parent=document.parent,
                annex_title=document.annex_title,
                leadership_group=document.leadership_group,
                leadership_office=document.leadership_office,
                leadership=tuple(LeaderView(m.role, m.name, m.post) for m in document.leadership),
                clause_count=len(document.clauses),
                task_count=len(document.tasks),
                version=document.version,
                in_force=document.in_force,
                issued=document.issued,
                added_at=document.added_at,
                superseded_at=document.superseded_at,
            )
            document_views.append(view)
            for clause in document.clauses:
                clause_views.append(
                    ClauseView(
                        ref=clause.ref,
                        document=view,
                        section=_section_label(clause.section, sections),
                        ordinal=clause.ordinal,
                        number=clause.number,
                        title=clause.title,
                        text=clause.text,
                        body=clause.body,
                        deadline=clause.deadline,
                        topics=tags.get(("clause", clause.id), {}),
                        agencies=tuple(AgencyView(r.agency.name, r.role, r.agency.kind) for r in clause.roles),
                    )
                )
            for task in document.tasks:
                task_views.append(
                    TaskView(
                        ref=task.ref,
                        document=view,
                        section=_section_label(task.section, sections),
                        number=task.number,
                        text=task.text,
                        deadline=task.deadline,
                        topics=tags.get(("task", task.id), {}),
                    )
                )
    return Snapshot(tuple(document_views), tuple(clause_views), tuple(task_views))
