"""Build the knowledge-base tables from the seeds: idempotent, in one transaction.

Every build replaces the ``kb_*`` tables' rows and nothing else, so data that other parts of the product keep
in the same database (handoff cases, feedback) survives a rebuild, and a failed build leaves the previous
knowledge base in place.

Every version of a plan listed in the manifest is stored; superseded versions get version-qualified refs
(``guizhou@1/17``) and consecutive versions are aligned clause by clause (``kb_changes``).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, delete, inspect
from sqlalchemy.orm import Session

from bot.kb import models
from bot.kb.agencies import kind_of
from bot.kb.align import ClauseChange, ClauseText, align
from bot.kb.manifest import ManifestEntry, load_manifest
from bot.kb.parse import parse_plan
from bot.kb.records import ParsedPlan
from bot.kb.topics import Topic, TopicMatch, load_topics, tag_text
from bot.settings import Settings
from bot.text import ChineseTokenizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    documents: dict[str, tuple[int, int]]  # slug → (clauses, tasks)

    def lines(self) -> list[str]:
        return [
            f"{slug}: {clauses} 条" + (f" + {tasks} 项任务" if tasks else "")
            for slug, (clauses, tasks) in self.documents.items()
        ]


def clause_ref(slug: str, ordinal: int) -> str:
    return f"{slug}/{ordinal}"


def task_ref(slug: str, number: int) -> str:
    return f"{slug}/task-{number}"


def ref_prefix(slug: str, version: int, in_force: bool) -> str:
    """``guizhou`` for the version in force (stable refs), ``guizhou@1`` for a superseded version."""
    return slug if in_force else f"{slug}@{version}"


def build(engine: Engine, settings: Settings) -> BuildReport:
    entries = load_manifest(settings.seeds_dir)
    topics = load_topics(settings.topics_file)
    parsed: list[tuple[ManifestEntry, str, ParsedPlan, bool]] = []
    for entry in entries:
        for version in entry.versions:
            raw = (settings.seeds_dir / version.file).read_bytes()
            in_force = version.version == entry.version
            parsed.append((version, hashlib.sha256(raw).hexdigest(), parse_plan(raw.decode("utf-8")), in_force))
    changes = _align_versions(parsed, settings) if any(entry.history for entry in entries) else []

    _ensure_schema(engine)
    report: dict[str, tuple[int, int]] = {}
    with Session(engine) as session, session.begin():
        for table in models.KB_TABLES:
            session.execute(delete(table))
        session.add_all(
            models.Topic(id=t.id, name=t.name, description=t.description, keywords=list(t.keywords), asks=list(t.asks))
            for t in topics
        )
        agencies: dict[str, models.Agency] = {}
        for entry, digest, plan, in_force in parsed:
            _store_plan(session, entry, digest, plan, topics, agencies, in_force)
            if in_force:
                report[entry.id] = (len(plan.clauses), len(plan.tasks))
        session.add_all(changes)
    log.info("knowledge base built: %s", report)
    return BuildReport(report)


def _ensure_schema(engine: Engine) -> None:
    """Create the tables; a knowledge base built before versions existed (no ``version`` column) is recreated."""
    existing = inspect(engine)
    if existing.has_table("kb_documents"):
        columns = {column["name"] for column in existing.get_columns("kb_documents")}
        if "version" not in columns:
            log.warning("knowledge-base tables predate plan versions; recreating them")
            models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)


def clause_texts(plan: ParsedPlan, prefix: str) -> tuple[list[ClauseText], list[ClauseText]]:
    """The clauses and the tasks of a parsed plan as the alignment reads them, with their refs."""
    clauses = [
        ClauseText(
            clause_ref(prefix, c.ordinal),
            c.ordinal,
            c.number,
            c.body,
            tuple((a.name, a.role) for a in c.agencies),
            c.deadline,
        )
        for c in plan.clauses
    ]
    tasks = [
        ClauseText(task_ref(prefix, t.number), t.number, str(t.number), t.text, (), t.deadline) for t in plan.tasks
    ]
    return clauses, tasks


def _align_versions(
    parsed: list[tuple[ManifestEntry, str, ParsedPlan, bool]], settings: Settings
) -> list[models.Change]:
    tokenizer = ChineseTokenizer(settings.dict_dir)
    rows: list[models.Change] = []
    for (old, _, old_plan, old_in_force), (new, _, new_plan, new_in_force) in itertools.pairwise(parsed):
        if old.id != new.id:
            continue
        old_clauses, old_tasks = clause_texts(old_plan, ref_prefix(old.id, old.version, old_in_force))
        new_clauses, new_tasks = clause_texts(new_plan, ref_prefix(new.id, new.version, new_in_force))
        found: list[ClauseChange] = [
            *align(old_clauses, new_clauses, tokenizer.terms),
            *align(old_tasks, new_tasks, tokenizer.terms),
        ]
        rows.extend(
            models.Change(
                slug=new.id,
                from_version=old.version,
                to_version=new.version,
                position=position,
                kind=change.kind,
                old_refs=list(change.old_refs),
                new_refs=list(change.new_refs),
                similarity=change.similarity,
                details=change.details(),
            )
            for position, change in enumerate(found)
        )
    return rows


def _agency(session: Session, agencies: dict[str, models.Agency], name: str) -> models.Agency:
    if name not in agencies:
        agencies[name] = models.Agency(name=name, kind=kind_of(name).id)
        session.add(agencies[name])
    return agencies[name]


def _store_plan(
    session: Session,
    entry: ManifestEntry,
    digest: str,
    plan: ParsedPlan,
    topics: tuple[Topic, ...],
    agencies: dict[str, models.Agency],
    in_force: bool = True,
) -> None:
    prefix = ref_prefix(entry.id, entry.version, in_force)
    document = models.Document(
        slug=entry.id,
        version=entry.version,
        in_force=in_force,
        issued=entry.issued,
        added_at=entry.added,
        superseded_at=None if in_force else entry.superseded,
        file=entry.file,
        sha256=digest,
        region=entry.region,
        province=entry.province,
        level=entry.level,
        title=entry.title,
        issuer=entry.issuer,
        doc_number=entry.doc_number or plan.doc_number,
        date=entry.date,
        published=entry.published,
        status=entry.status,
        parent=entry.parent,
        annex_title=plan.annex_title or entry.annex,
        leadership_group=plan.leadership_group,
        leadership_office=plan.leadership_office,
    )
    session.add(document)
    sections: dict[int, models.Section] = {}
    for heading in plan.sections:
        section = models.Section(
            document=document, ordinal=heading.ordinal, number=heading.number, title=heading.title, part=heading.part
        )
        session.add(section)
        if heading.parent is not None:
            session.flush()
            section.parent_id = sections[heading.parent].id
        sections[heading.ordinal] = section

    for record in plan.clauses:
        clause = models.Clause(
            ref=clause_ref(prefix, record.ordinal),
            document=document,
            section=sections.get(record.section) if record.section else None,
            ordinal=record.ordinal,
            number=record.number,
            title=record.title,
            text=record.text,
            body=record.body,
            assignment=record.assignment,
            deadline=record.deadline,
        )
        session.add(clause)
        for position, role in enumerate(record.agencies):
            clause.roles.append(
                models.ClauseAgency(agency=_agency(session, agencies, role.name), role=role.role, position=position)
            )
        session.flush()
        session.add_all(_tags(tag_text(record.title, record.body, topics), clause_id=clause.id))

    for task_record in plan.tasks:
        task = models.Task(
            ref=task_ref(prefix, task_record.number),
            document=document,
            section=sections.get(task_record.section) if task_record.section else None,
            number=task_record.number,
            text=task_record.text,
            deadline=task_record.deadline,
        )
        session.add(task)
        session.flush()
        session.add_all(_tags(tag_text("", task_record.text, topics), task_id=task.id))

    for position, member in enumerate(plan.leadership):
        document.leadership.append(
            models.LeadershipMember(position=position, role=member.role, name=member.name, post=member.post)
        )


def _tags(matches: list[TopicMatch], clause_id: int | None = None, task_id: int | None = None) -> list[models.Tag]:
    return [
        models.Tag(
            topic_id=m.topic,
            clause_id=clause_id,
            task_id=task_id,
            in_title=m.in_title,
            score=m.score,
            sentences=list(m.sentences),
        )
        for m in matches
    ]
