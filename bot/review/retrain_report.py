"""What a retrain found, for people (bench/results/retrain.md), for programs (retrain.json) and over time
(var/retrain/history.jsonl, one line per retrain, which the demand report reads)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.review.retrain_decision import Decision, Row

HISTORY_FILE = "history.jsonl"  # in the retrain folder (var/retrain): one line per retrain, oldest first
# The figures a history line keeps for each model (the demand report charts them over time).
HEADLINE = (
    "nlu.intent_macro_f1",
    "nlu.served_accuracy",
    "questions.kind_accuracy",
    "questions.answer_hit_at_3",
    "robustness.kind_accuracy",
    "stories.conversation_accuracy",
)
STATES = {"accepted": "通过：改用候选模型", "refused": "未通过：继续使用在用模型", "failed": "失败：在用模型未变"}


@dataclass
class Record:
    """One retrain, as reported."""

    date: str
    decision: str  # accepted | refused | failed
    served: str | None
    candidate: str | None
    exported: int | None = None  # confirmed examples written to data/nlu/reviewed/
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else happened (replicas switched, nothing to switch …)
    measures: list[dict[str, Any]] = field(default_factory=list)
    per_need_f1: dict[str, dict[str, float | None]] = field(default_factory=dict)


def measure_rows(decision: Decision) -> list[dict[str, Any]]:
    def row(r: Row) -> dict[str, Any]:
        return {
            "measure": r.spec.key,
            "title": r.spec.title,
            "before": r.before,
            "after": r.after,
            "difference": r.difference,
            "floor": r.floor,
            "floor_is_ceiling": r.spec.lower_is_better,
            "examples": r.examples,
            "tolerance": round(r.tolerance, 4),
            "below_floor": r.below_floor,
            "worse": r.worse,
        }

    return [row(r) for r in decision.rows]


def need_rows(served: Mapping[str, Any], candidate: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    before = dict((served.get("nlu") or {}).get("per_need_f1") or {})
    after = dict((candidate.get("nlu") or {}).get("per_need_f1") or {})
    rows: dict[str, dict[str, float | None]] = {}
    for need in sorted(set(before) | set(after)):
        b, a = before.get(need), after.get(need)
        rows[need] = {"before": b, "after": a, "difference": None if a is None or b is None else round(a - b, 4)}
    return rows


def headline(figures: Mapping[str, Any]) -> dict[str, float]:
    found = {}
    for key in HEADLINE:
        group, name = key.split(".")
        value = (figures.get(group) or {}).get(name)
        if isinstance(value, int | float):
            found[key] = value
    return found


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def markdown(record: Record) -> str:
    lines = [
        "# Retrain: candidate vs served model",
        "",
        f"- date: {record.date}",
        f"- served model (before): {record.served or '—'}",
        f"- candidate: {record.candidate or '—'}",
        f"- confirmed examples exported: {'—' if record.exported is None else record.exported}",
        f"- decision: **{record.decision}** — {STATES.get(record.decision, '')}",
    ]
    lines += [f"- 原因：{text}" for text in record.reasons]
    lines += [f"- {text}" for text in record.notes]
    if record.measures:
        lines += [
            "",
            "Same material for both models; tolerance = one example's worth (1/examples) plus the tool's rounding.",
            "",
            "| measure | before | after | difference | floor | examples | tolerance | verdict |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for m in record.measures:
            floor = "—" if m["floor"] is None else f"{'≤' if m['floor_is_ceiling'] else '≥'} {m['floor']:g}"
            verdict = "below floor" if m["below_floor"] else "worse" if m["worse"] else "ok"
            difference = "—" if m["difference"] is None else f"{m['difference']:+.3f}"
            lines.append(
                f"| {m['title']} | {_number(m['before'])} | {_number(m['after'])} | {difference} | {floor} "
                f"| {m['examples']} | {m['tolerance']:.4f} | {verdict} |"
            )
    if record.per_need_f1:
        lines += ["", "Held-out F1 per need:", "", "| need | before | after | difference |", "|---|---|---|---|"]
        for need, row in record.per_need_f1.items():
            difference = "—" if row["difference"] is None else f"{row['difference']:+.3f}"
            lines.append(f"| {need} | {_number(row['before'])} | {_number(row['after'])} | {difference} |")
    return "\n".join(lines) + "\n"


def write(reports: Path, record: Record) -> Path:
    """retrain.md and retrain.json in ``reports``; returns the Markdown file."""
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "retrain.json").write_text(
        json.dumps(asdict(record), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    path = reports / "retrain.md"
    path.write_text(markdown(record), encoding="utf-8")
    return path


def append_history(history: Path, record: Record, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    line = {
        "date": record.date,
        "served": record.served,
        "candidate": record.candidate,
        "decision": record.decision,
        "exported": record.exported,
        "before": headline(before),
        "after": headline(after),
        "reasons": record.reasons,
    }
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("a", encoding="utf-8") as file:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")


def read_history(history: Path) -> list[dict[str, Any]]:
    """The retrains ``append_history`` wrote, oldest first; a missing file or a torn line reads as none (the console
    and the demand report read it while a retrain may be appending)."""
    if not history.is_file():
        return []
    found = []
    for line in history.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            found.append(entry)
    return found
