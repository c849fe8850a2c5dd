"""``seeds/manifest.yml``: what each seed file is (region, level, title, issuer, date, status, parent).

A plan may have several versions (a 征求意见稿, then the 印发 text). Each version is its own entry with the same
``id`` and a higher ``version``, appended below the earlier ones, so the manifest is a log that is only ever added
to: the last entry of an id is the version in force, the earlier ones are superseded (kept for history). A later
entry inherits the earlier one's region, province, level, issuer and parent unless it states them.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LEVELS = {"province": "省级", "autonomous_region": "自治区级", "municipality": "直辖市级", "county": "县级"}
STATUSES = ("已印发", "征求意见稿")
_SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
_INHERITED = ("region", "province", "level", "issuer", "parent")


class ManifestError(ValueError):
    """The manifest is missing, malformed or points at a file that is not there."""


@dataclass(frozen=True)
class PlanFacts:
    """What a plan says of itself, as its manifest entry gives it: kept by the manifest and by the knowledge base's
    view of a plan (``views.DocumentView``) alike."""

    region: str
    province: str
    level: str
    title: str
    issuer: str | None
    doc_number: str | None
    date: str | None
    published: str | None
    status: str
    parent: str | None

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)


@dataclass(frozen=True)
class ManifestEntry(PlanFacts):
    id: str
    file: str
    annex: str | None
    version: int = 1
    issued: str | None = None  # ISO date of 印发 when known (2021-03-01); ``date`` is as printed
    added: str | None = None  # when this version came into force here (ISO UTC); None: since the start
    superseded: str | None = None  # when the next version replaced it (the next one's ``added``)
    history: tuple[ManifestEntry, ...] = ()  # earlier versions, oldest first (only on the version in force)

    @property
    def versions(self) -> tuple[ManifestEntry, ...]:
        """Every version of this plan, oldest first, the version in force last."""
        return (*self.history, dataclasses.replace(self, history=()))


def load_manifest(seeds_dir: Path) -> tuple[ManifestEntry, ...]:
    """The version in force of every plan, in manifest order, each with its earlier versions in ``history``."""
    path = seeds_dir / "manifest.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ManifestError(f"无法读取 {path}：{error}") from error
    by_id: dict[str, list[ManifestEntry]] = {}
    for position, item in enumerate((raw or {}).get("documents") or [], start=1):
        entry = _entry(path, position, item, by_id)
        if not _SLUG.match(entry.id):
            raise ManifestError(f"{path}: id {entry.id!r} must be lowercase ASCII")
        if entry.level not in LEVELS:
            raise ManifestError(f"{path}: level {entry.level!r} must be one of {sorted(LEVELS)}")
        if not (seeds_dir / entry.file).is_file():
            raise ManifestError(f"{path}: {entry.file} not found in {seeds_dir}")
        earlier = by_id.get(entry.id)
        if earlier and entry.version <= earlier[-1].version:
            raise ManifestError(
                f"{path}: duplicate document id {entry.id!r} (a later version needs a higher `version`)"
            )
        by_id.setdefault(entry.id, []).append(entry)
    if not by_id:
        raise ManifestError(f"{path}: no documents listed")
    entries = []
    for versions in by_id.values():
        # Each superseded version is stamped with the time its successor came into force.
        history = tuple(dataclasses.replace(old, superseded=new.added) for old, new in itertools.pairwise(versions))
        entries.append(dataclasses.replace(versions[-1], history=history))
    return tuple(entries)


def _entry(path: Path, position: int, item: Any, by_id: dict[str, list[ManifestEntry]]) -> ManifestEntry:
    try:
        previous = by_id.get(str(item["id"]))
        inherited = {key: getattr(previous[-1], key) for key in _INHERITED} if previous else {}
        fields = {**inherited, **{key: item[key] for key in _INHERITED if key in item}}
        return ManifestEntry(
            id=str(item["id"]),
            file=str(item["file"]),
            region=str(fields["region"]),
            province=str(fields["province"]),
            level=str(fields["level"]),
            title=str(item["title"]),
            issuer=fields.get("issuer"),
            doc_number=item.get("doc_number"),
            date=item.get("date"),
            published=item.get("published"),
            status=str(item["status"]),
            parent=fields.get("parent"),
            annex=item.get("annex"),
            version=int(item.get("version", 1)),
            issued=str(item["issued"]) if item.get("issued") else None,
            added=str(item["added"]) if item.get("added") else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ManifestError(f"{path} 第{position}项缺少字段：{error}") from error
