"""Versions of the plans and what changed between them: the read side of ``kb_changes``.

The query layer's snapshot holds only the versions in force, so everything that answers today's questions is
unaffected by history. ``History`` holds the superseded versions beside it and the clause-level alignment of
consecutive versions, and answers three questions:

- ``lineage(ref)``: one clause through every version, with what changed into each (the clause viewer);
- ``latest_change(ref)``: how a clause in force differs from the previous version (one line in an answer);
- ``cited(ref, at)``: what a record that cited ``ref`` at time ``at`` meant, and what it is now (review of
  handoff cases and feedback after a revision).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.kb import models
from bot.kb.align import ClauseChange
from bot.kb.views import DocumentView, Item, Snapshot

_VERSIONED_REF = re.compile(r"^(?P<slug>[a-z][a-z0-9_-]*)@(?P<version>\d+)/(?P<rest>.+)$")


@dataclass(frozen=True)
class PlanChange:
    """A change found between two versions of a plan (``from_version`` → ``to_version``)."""

    slug: str
    from_version: int
    to_version: int
    change: ClauseChange


@dataclass(frozen=True)
class ClauseVersion:
    """One clause in one version: its text there (None where the clause is gone) and the change into it."""

    document: DocumentView
    item: Item | None
    change: ClauseChange | None  # from the previous version; None in the first version of the plan


@dataclass(frozen=True)
class CitedClause:
    """What a record citing a ref meant when it was written, and what that clause is now."""

    ref: str
    then: Item | None  # None when the ref names nothing in the version then in force
    now: tuple[Item, ...]  # the clause(s) in force it became; () when removed
    changes: tuple[ClauseChange, ...]  # every change on the way, oldest first

    @property
    def changed(self) -> bool:
        """True when the text, the agencies or the deadline changed, or the clause was split, merged or removed."""
        return any(c.kind != "unchanged" for c in self.changes)

    @property
    def removed(self) -> bool:
        return self.then is not None and not self.now


def parse_time(value: str | datetime | None) -> datetime | None:
    """ISO text or a datetime → naive UTC (SQLite hands back naive datetimes; PostgreSQL aware ones)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


class History:
    def __init__(self, current: Snapshot, superseded: Snapshot, changes: tuple[PlanChange, ...]) -> None:
        self.changes_found = changes
        self._items: dict[str, Item] = {item.ref: item for item in (*superseded.items, *current.items)}
        versions: dict[str, list[DocumentView]] = {}
        for document in (*superseded.documents, *current.documents):
            versions.setdefault(document.slug, []).append(document)
        self._versions = {slug: tuple(sorted(docs, key=lambda d: d.version)) for slug, docs in versions.items()}

    @classmethod
    def load(cls, engine: Engine, current: Snapshot, superseded: Snapshot) -> History:
        with Session(engine) as session:
            rows = session.scalars(
                select(models.Change).order_by(
                    models.Change.slug, models.Change.from_version, models.Change.position, models.Change.id
                )
            ).all()
            changes = tuple(
                PlanChange(
                    row.slug,
                    row.from_version,
                    row.to_version,
                    ClauseChange.from_row(row.kind, row.old_refs, row.new_refs, row.similarity, row.details),
                )
                for row in rows
            )
        return cls(current, superseded, changes)

    # -- versions -----------------------------------------------------------------------------------------
    def versions(self, slug: str) -> tuple[DocumentView, ...]:
        """Every version of a plan, oldest first; the last one is in force."""
        return self._versions.get(slug, ())

    def document(self, slug: str, version: int) -> DocumentView | None:
        return next((d for d in self.versions(slug) if d.version == version), None)

    def in_force_at(self, slug: str, at: str | datetime | None) -> DocumentView | None:
        """The version in force at a moment (``None``: now)."""
        versions = self.versions(slug)
        moment = parse_time(at)
        if moment is None:
            return versions[-1] if versions else None
        for document in versions:
            start, end = parse_time(document.added_at), parse_time(document.superseded_at)
            if (start is None or start <= moment) and (end is None or moment < end):
                return document
        return versions[0] if versions else None  # before the first recorded version came in

    def plan_changes(
        self, slug: str, from_version: int | None = None, to_version: int | None = None
    ) -> list[ClauseChange]:
        """The clause-level changes between two consecutive versions (default: the previous one → the one in force)."""
        versions = self.versions(slug)
        if len(versions) < 2:
            return []
        to = to_version if to_version is not None else versions[-1].version
        start = from_version if from_version is not None else max(d.version for d in versions if d.version < to)
        return [
            c.change for c in self.changes_found if c.slug == slug and c.from_version == start and c.to_version == to
        ]

    # -- clauses --------------------------------------------------------------------------------------------
    def item(self, ref: str) -> Item | None:
        """Any clause or task of any version: ``guizhou/17`` (in force), ``guizhou@1/17`` (a version)."""
        if ref in self._items:
            return self._items[ref]
        found = _VERSIONED_REF.match(ref)
        if found:  # the version in force named by its number: guizhou@2/17 when 2 is in force
            document = self.document(found["slug"], int(found["version"]))
            if document is not None and document.in_force:
                return self._items.get(f"{found['slug']}/{found['rest']}")
        return None

    def latest_change(self, ref: str) -> ClauseChange | None:
        """How a clause in force differs from the previous version: None when the plan has one version."""
        item = self.item(ref)
        if item is None:
            return None
        slug = item.document.slug
        return self._change_into(slug, item.document.version, item.ref)

    def lineage(self, ref: str) -> list[ClauseVersion]:
        """The clause through every version of its plan, oldest first, with what changed into each version.

        A split or a merge is followed through its first clause; an added clause starts at the version that
        added it; a removed one ends with a ``ClauseVersion`` whose ``item`` is None.
        """
        item = self.item(ref)
        if item is None:
            return []
        slug = item.document.slug
        chain = [ClauseVersion(item.document, item, self._change_into(slug, item.document.version, item.ref))]
        current = chain[0]
        while current.change is not None and current.change.old_refs:
            older = self._items.get(current.change.old_refs[0])
            if older is None:
                break
            current = ClauseVersion(older.document, older, self._change_into(slug, older.document.version, older.ref))
            chain.insert(0, current)
        current = chain[-1]
        while current.item is not None:
            change, to_version = self._change_from(slug, current.document.version, current.item.ref)
            document = self.document(slug, to_version) if to_version else None
            if change is None or document is None:
                break
            newer = self._items.get(change.new_refs[0]) if change.new_refs else None
            current = ClauseVersion(document, newer, change)
            chain.append(current)
        return chain

    def cited(self, ref: str, at: str | datetime | None) -> CitedClause:
        """What ``ref`` meant for a record written at ``at`` and what it is in the version in force."""
        slug = ref.split("/", 1)[0].split("@", 1)[0]
        document = self.in_force_at(slug, at) if "@" not in ref else None
        then_ref = ref
        if document is not None and not document.in_force and "/" in ref:
            then_ref = f"{document.ref_prefix}/{ref.split('/', 1)[1]}"
        then = self.item(then_ref)
        if then is None:
            return CitedClause(ref, None, (), ())
        changes: list[ClauseChange] = []
        frontier: list[Item] = [then]
        while frontier and not frontier[0].document.in_force:
            step: list[Item] = []
            for old in frontier:
                change, _ = self._change_from(slug, old.document.version, old.ref)
                if change is None:
                    continue
                if change not in changes:
                    changes.append(change)
                step.extend(i for r in change.new_refs if (i := self._items.get(r)) is not None and i not in step)
            frontier = step
        return CitedClause(ref, then, tuple(frontier), tuple(changes))

    def _change_into(self, slug: str, version: int, ref: str) -> ClauseChange | None:
        for found in self.changes_found:
            if found.slug == slug and found.to_version == version and ref in found.change.new_refs:
                return found.change
        return None

    def _change_from(self, slug: str, version: int, ref: str) -> tuple[ClauseChange | None, int]:
        for found in self.changes_found:
            if found.slug == slug and found.from_version == version and ref in found.change.old_refs:
                return found.change, found.to_version
        return None, 0
