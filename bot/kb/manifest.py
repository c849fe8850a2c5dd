"""``seeds/manifest.yml``: what each seed file is (region, level, title, issuer, date, status, parent)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LEVELS = {"province": "省级", "autonomous_region": "自治区级", "municipality": "直辖市级", "county": "县级"}
_SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


class ManifestError(ValueError):
    """The manifest is missing, malformed or points at a file that is not there."""


@dataclass(frozen=True)
class ManifestEntry:
    id: str
    file: str
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
    annex: str | None

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)


def load_manifest(seeds_dir: Path) -> tuple[ManifestEntry, ...]:
    path = seeds_dir / "manifest.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ManifestError(f"无法读取 {path}：{error}") from error
    entries = []
    for position, item in enumerate((raw or {}).get("documents") or [], start=1):
        try:
            entry = ManifestEntry(
                id=str(item["id"]),
                file=str(item["file"]),
                region=str(item["region"]),
                province=str(item["province"]),
                level=str(item["level"]),
                title=str(item["title"]),
                issuer=item.get("issuer"),
                doc_number=item.get("doc_number"),
                date=item.get("date"),
                published=item.get("published"),
                status=str(item["status"]),
                parent=item.get("parent"),
                annex=item.get("annex"),
            )
        except (KeyError, TypeError) as error:
            raise ManifestError(f"{path} 第{position}项缺少字段：{error}") from error
        if not _SLUG.match(entry.id):
            raise ManifestError(f"{path}: id {entry.id!r} must be lowercase ASCII")
        if entry.level not in LEVELS:
            raise ManifestError(f"{path}: level {entry.level!r} must be one of {sorted(LEVELS)}")
        if not (seeds_dir / entry.file).is_file():
            raise ManifestError(f"{path}: {entry.file} not found in {seeds_dir}")
        entries.append(entry)
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: duplicate document ids in {ids}")
    if not entries:
        raise ManifestError(f"{path}: no documents listed")
    return tuple(entries)
