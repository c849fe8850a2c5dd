"""Benchmark figures to bench/results/: the numbers as JSON, a short Markdown table for people."""

from __future__ import annotations

import json
from typing import Any

from bot.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values fall (nearest rank); 0 for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def markdown_table(row: dict[str, Any]) -> str:
    header = "| " + " | ".join(row) + " |"
    rule = "|" + "---|" * len(row)
    return "\n".join([header, rule, "| " + " | ".join(str(v) for v in row.values()) + " |"]) + "\n"


def write_report(name: str, title: str, summary: dict[str, Any], table: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(f"# {title}\n\n{table}", encoding="utf-8")
