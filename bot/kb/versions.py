"""Adding a new text of a plan: ``python -m bot.kb add-version PLAN FILE --status 已印发 [--issued …] [--number …]``.

All or nothing. The file must decode and parse as a plan (numbered clauses); the new manifest and file are
first built into a scratch copy of the seeds and a scratch database, and only when that succeeds are the file
copied into ``seeds/``, the manifest entry appended and the real knowledge base rebuilt. If that last build
fails, the manifest and the seeds are put back as they were. The same file added twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from sqlalchemy import Engine

from bot.kb.db import make_engine
from bot.kb.load import BuildReport, build
from bot.kb.manifest import STATUSES, ManifestEntry, ManifestError, load_manifest
from bot.kb.parse import parse_plan
from bot.kb.regions import Gazetteer
from bot.settings import Settings

log = logging.getLogger(__name__)

MIN_CLAUSES = 3  # a plan has numbered measures; a text with fewer is not one (a notice, a news item, a table)
_DRAFT_MARK = "（征求意见稿）"


class VersionRefused(ValueError):
    """The new text is not accepted, or the rebuild failed; ``message`` says why, in Chinese. Nothing was changed.

    ``exit_code`` is 2 for a text or plan that cannot be taken (the caller's input), 1 when the knowledge base
    could not be rebuilt (the database), as for ``python -m bot.kb build``.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(frozen=True)
class VersionAdded:
    entry: ManifestEntry | None  # None when the text was already there (nothing changed)
    message: str
    report: BuildReport | None = None


def resolve_plan(plan: str, entries: tuple[ManifestEntry, ...], settings: Settings) -> ManifestEntry:
    """A plan by id (guizhou) or by a region the gazetteer knows (贵州, 黔, 保德县)."""
    wanted = plan.strip()
    for entry in entries:
        if wanted in (entry.id, entry.region):
            return entry
    mention = Gazetteer.load(settings.regions_file).resolve(wanted)
    matches = [e for e in entries if mention is not None and e.province == mention.division.name]
    if len(matches) == 1:
        return matches[0]
    known = "、".join(f"{e.id}（{e.region}）" for e in entries)
    if len(matches) > 1:
        raise VersionRefused(f"“{wanted}”对应多份方案，请写方案编号：{known}。")
    raise VersionRefused(f"没有找到方案“{wanted}”。收录的方案：{known}。")


def add_version(
    settings: Settings,
    plan: str,
    file: Path,
    status: str,
    issued: date | None = None,
    number: str | None = None,
    title: str | None = None,
    now: datetime | None = None,
) -> VersionAdded:
    """Add ``file`` as the version in force of ``plan``; raises ``VersionRefused`` with nothing changed."""
    if status not in STATUSES:
        raise VersionRefused(f"状态“{status}”无效，只能是：{'、'.join(STATUSES)}。")
    entries = load_manifest(settings.seeds_dir)
    current = resolve_plan(plan, entries, settings)
    try:
        raw = file.read_bytes()
        text = raw.decode("utf-8")
    except OSError as error:
        raise VersionRefused(f"无法读取文件 {file}：{error.strerror or error}。") from error
    except UnicodeDecodeError as error:
        raise VersionRefused(f"{file.name} 不是 UTF-8 编码的文本，无法作为方案收录。") from error
    digest = hashlib.sha256(raw).hexdigest()
    for known in current.versions:
        if hashlib.sha256((settings.seeds_dir / known.file).read_bytes()).hexdigest() == digest:
            state = "现行版本" if known.version == current.version else "已被取代的版本"
            return VersionAdded(None, f"该文本已收录为{current.region}方案第{known.version}版（{state}），未作改动。")
    parsed = parse_plan(text)
    if len(parsed.clauses) < MIN_CLAUSES:
        raise VersionRefused(
            f"{file.name} 不像一份实施方案：只识别出{len(parsed.clauses)}条编号条款（至少需要{MIN_CLAUSES}条，"
            "如“（一）……。”“1. ……。”）。请确认文件是方案全文。"
        )

    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    entry = ManifestEntry(
        id=current.id,
        file=_seed_name(settings.seeds_dir, file, current, digest),
        region=current.region,
        province=current.province,
        level=current.level,
        title=title or _title(current.title, status),
        issuer=current.issuer,
        doc_number=number or parsed.doc_number,
        date=f"{issued.year}年{issued.month}月{issued.day}日" if issued else None,
        published=None,
        status=status,
        parent=current.parent,
        annex=None,
        version=current.version + 1,
        issued=issued.isoformat() if issued else None,
        added=moment.isoformat().replace("+00:00", "Z"),
    )
    manifest_path = settings.seeds_dir / "manifest.yml"
    old_manifest = manifest_path.read_text(encoding="utf-8")
    new_manifest = old_manifest.rstrip("\n") + "\n\n" + manifest_block(entry)

    with tempfile.TemporaryDirectory(prefix="kb-version-") as scratch:
        trial = Path(scratch) / "seeds"
        shutil.copytree(settings.seeds_dir, trial)
        (trial / entry.file).write_bytes(raw)
        (trial / "manifest.yml").write_text(new_manifest, encoding="utf-8")
        trial_settings = dataclasses.replace(
            settings, seeds_dir=trial, database_url=f"sqlite:///{Path(scratch) / 'trial.sqlite3'}"
        )
        try:
            _build(trial_settings)
        except (ManifestError, ValueError, OSError) as error:
            raise VersionRefused(f"新文本无法构建知识库，未作改动：{error}") from error

    target = settings.seeds_dir / entry.file
    created = not target.exists()
    if created:
        target.write_bytes(raw)
    _write_atomically(manifest_path, new_manifest)
    try:
        report = _build(settings)
    except Exception as error:  # whatever failed, the seeds go back to what the knowledge base was built from
        _write_atomically(manifest_path, old_manifest)
        if created:
            target.unlink()
        log.debug("knowledge base rebuild failed; manifest and seeds restored", exc_info=True)
        raise VersionRefused(
            f"知识库重建失败（{type(error).__name__}），已恢复原来的清单和文件，未作改动。请检查 DATABASE_URL 后重试。",
            1,
        ) from error
    superseded = f"第{current.version}版（{current.status}）"
    return VersionAdded(
        entry,
        f"已收录{entry.region}方案第{entry.version}版（{status}），现行；{superseded}标记为已被取代。",
        report,
    )


def manifest_block(entry: ManifestEntry) -> str:
    """The manifest entry of a new version, appended below the earlier ones (the manifest is a log)."""
    item: dict[str, object] = {
        "id": entry.id,
        "version": entry.version,
        "file": entry.file,
        "title": entry.title,
        "issuer": entry.issuer,
        "doc_number": entry.doc_number,
        "date": entry.date,
        "issued": entry.issued,
        "status": entry.status,
        "added": entry.added,
    }
    dumped = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=1000)
    lines = [f"  {line}" if line else line for line in dumped.splitlines()]
    comment = f"  # version {entry.version} of {entry.id} (python -m bot.kb add-version); earlier entries superseded\n"
    return comment + "\n".join(lines) + "\n"


def _build(settings: Settings) -> BuildReport:
    engine: Engine = make_engine(settings.database_url)
    try:
        return build(engine, settings)
    finally:
        engine.dispose()


def _title(previous: str, status: str) -> str:
    """The previous title, with （征求意见稿） dropped once the text is issued, or added for a new draft."""
    if status == "已印发":
        return previous.replace(_DRAFT_MARK, "").strip()
    return previous if _DRAFT_MARK in previous else f"{previous}{_DRAFT_MARK}"


def _seed_name(seeds_dir: Path, file: Path, current: ManifestEntry, digest: str) -> str:
    """The file's own name when free in ``seeds/``; otherwise ``<plan>-v<N>-<name>``."""
    name = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", file.name) or f"{current.id}.txt"
    target = seeds_dir / name
    if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() == digest:
        return name
    return f"{current.id}-v{current.version + 1}-{name}"


def _write_atomically(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)
