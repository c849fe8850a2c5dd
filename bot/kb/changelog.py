"""Plain-Chinese description of what changed between versions of a plan (``python -m bot changes PLAN``).

``change_phrases`` is the short form an answer can append in one line ("牵头单位由省商务厅改为省市场监管局；删去1句");
``plan_changes_text`` is the full listing for staff, every sentence quoted.
"""

from __future__ import annotations

import itertools

from bot.kb.align import ClauseChange
from bot.kb.numbering import display_number
from bot.kb.query import KnowledgeBase
from bot.kb.records import ROLE_LABELS
from bot.kb.views import DocumentView

KIND_LABELS = {
    "unchanged": "未变",
    "changed": "修改",
    "added": "新增",
    "removed": "删除",
    "split": "拆分",
    "merged": "合并",
}
NONE_NAMED = "未列明"


def version_label(document: DocumentView) -> str:
    """第2版（已印发，2021年3月1日，黔府办发〔2021〕5号）."""
    parts = [document.status, document.dated]
    if document.doc_number:
        parts.append(document.doc_number)
    return f"第{document.version}版（{'，'.join(parts)}）"


def _names(agencies: tuple[tuple[str, str], ...], role: str) -> str:
    return "、".join(name for name, r in agencies if r == role) or NONE_NAMED


def change_phrases(change: ClauseChange) -> list[str]:
    """What changed in a few words each: agencies by role, deadline, and how many sentences."""
    phrases: list[str] = []
    for role, label in ROLE_LABELS.items():
        before, after = _names(change.agencies_before, role), _names(change.agencies_after, role)
        if before != after:
            phrases.append(f"{label}由{before}改为{after}")
    if change.deadline_changed:
        phrases.append(f"完成时限由{change.deadline_before or NONE_NAMED}改为{change.deadline_after or NONE_NAMED}")
    if change.sentences_modified:
        phrases.append(f"改写{len(change.sentences_modified)}句")
    if change.sentences_removed and change.kind not in ("removed",):
        phrases.append(f"删去{len(change.sentences_removed)}句")
    if change.sentences_added and change.kind not in ("added",):
        phrases.append(f"新增{len(change.sentences_added)}句")
    return phrases


def _clause_names(kb: KnowledgeBase, refs: tuple[str, ...], ordinals: tuple[int, ...], old: bool) -> str:
    labels = []
    for ref, ordinal in zip(refs, ordinals, strict=False):
        try:
            title = kb.by_ref(ref).title
        except ValueError:
            title = ""
        labels.append(f"{'原' if old else ''}{_number(ref, ordinal)}{' ' + title if title else ''}")
    return "、".join(labels)


def change_lines(kb: KnowledgeBase, change: ClauseChange) -> list[str]:
    """The full description of one change: heading, then one line per changed fact or sentence."""
    label = KIND_LABELS[change.kind]
    old = _clause_names(kb, change.old_refs, change.old_ordinals, old=True)
    new = _clause_names(kb, change.new_refs, change.new_ordinals, old=False)
    if change.kind == "added":
        heading = f"[{label}] {new}"
    elif change.kind == "removed":
        heading = f"[{label}] {old}"
    elif change.kind == "unchanged":
        heading = f"[编号调整] {old} → {_number(change.new_refs[0], change.new_ordinals[0])}（内容未变）"
    elif change.old_ordinals == change.new_ordinals and change.kind == "changed":
        heading = f"[{label}] {new}"
    else:
        heading = f"[{label}] {old} → {new}"
    lines = [heading]
    if change.kind in ("added", "removed"):
        sentences = change.sentences_added or change.sentences_removed
        lines.append(f"  原文：{''.join(sentences)}")
        agencies = change.agencies_after or change.agencies_before
        for role, role_label in ROLE_LABELS.items():
            if any(r == role for _, r in agencies):
                lines.append(f"  {role_label}：{_names(agencies, role)}")
        return lines
    for role, role_label in ROLE_LABELS.items():
        before, after = _names(change.agencies_before, role), _names(change.agencies_after, role)
        if before != after:
            lines.append(f"  {role_label}：{before} → {after}")
    if change.deadline_changed:
        lines.append(f"  完成时限：{change.deadline_before or NONE_NAMED} → {change.deadline_after or NONE_NAMED}")
    lines.extend(f"  删去：“{s}”" for s in change.sentences_removed)
    lines.extend(f"  改写：“{a}” → “{b}”" for a, b in change.sentences_modified)
    lines.extend(f"  新增：“{s}”" for s in change.sentences_added)
    return lines


def plan_changes_text(kb: KnowledgeBase, plan: str) -> str:
    """Versions of a plan and, for each consecutive pair, every clause that is not plainly unchanged."""
    versions = kb.versions(plan)
    lines = [f"{versions[-1].region}：{versions[-1].citation}"]
    for document in versions:
        state = (
            "现行"
            if document.in_force
            else f"已被取代{('，' + document.superseded_at[:10]) if document.superseded_at else ''}"
        )
        lines.append(f"  {version_label(document)}——{state}")
    if len(versions) < 2:
        lines.append("只收录了一个版本，没有可比较的改动。")
        return "\n".join(lines)
    for old, new in itertools.pairwise(versions):
        changes = [c for c in kb.changes(plan, old.version, new.version) if not _is_task(c)]
        tasks = [c for c in kb.changes(plan, old.version, new.version) if _is_task(c)]
        lines.append("")
        lines.append(f"第{old.version}版 → 第{new.version}版：{_tally(changes)}")
        for change in changes:
            if change.kind != "unchanged" or change.renumbered:
                lines.extend(change_lines(kb, change))
        if tasks:
            lines.append(f"附件任务：{_tally(tasks, '项')}")
            for change in tasks:
                if change.kind != "unchanged" or change.renumbered:
                    lines.extend(change_lines(kb, change))
    return "\n".join(lines)


def _number(ref: str, ordinal: int) -> str:
    """第17条 for a clause, 第57项 for a task of an annexed work plan."""
    return f"第{ordinal}项" if "/task-" in ref else display_number(ordinal)


def _is_task(change: ClauseChange) -> bool:
    return any("/task-" in ref for ref in (*change.old_refs, *change.new_refs))


def _tally(changes: list[ClauseChange], unit: str = "条") -> str:
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in KIND_LABELS}
    moved = sum(1 for c in changes if c.kind == "unchanged" and c.renumbered)
    parts = [
        f"{KIND_LABELS[k]}{counts[k]}{unit}" for k in ("changed", "added", "removed", "split", "merged") if counts[k]
    ]
    if moved:
        parts.append(f"仅调整编号{moved}{unit}")
    parts.append(f"未变{counts['unchanged'] - moved}{unit}")
    return "，".join(parts)
