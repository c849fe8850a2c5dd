"""Visible characters of an answer before the fold, as the chat page and the widget lay it out, over the development
questions (../shared/eval/real_dev.yaml): target median ≤ 250.

    .venv/bin/python -m bench.answer_length [--file ../shared/eval/real_dev.yaml]

Each question goes through the assistant over Rasa's REST channel, as ``bench.real_questions`` asks it (the NLU model
reads the need; the user names the item's region when asked), and the reply contract's ``custom.answer`` (what
``bot.answers.render.structured`` makes) is measured. For the replies the page shows as an answer card (kind ``answer`` or ``limit``), the characters
counted are what ``bot/gateway/static/widget.js`` shows before the folded "依据": the verdict, notes other than the one
that introduces the quotes, the lead-unit chip (only when neither the verdict nor the next step names the lead), the
next step, and the fold's own label (or the notice, when there is nothing to fold). The quotes, units, deadlines and
notice inside the fold and the button titles are not counted. Writes bench/results/answer_length.{json,md} with figures and item numbers only (the questions stay in
shared/eval, outside the repository).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.real_questions import REGION_NAMES, ask, contract, text_of
from bench.report import markdown_table, write_report
from bot.launcher import Stack
from bot.settings import PROJECT_ROOT
from tests.support.stack import local_stack

DEFAULT_FILE = PROJECT_ROOT.parent / "shared" / "eval" / "real_dev.yaml"
TARGET = 250
CARD_KINDS = ("answer", "limit")


def fold_label(parts: dict[str, Any]) -> str:
    """The fold's summary, as the widget writes it (basisSummary, static/widget/answer.js)."""
    basis = parts.get("basis") or []
    if not basis:
        return ""
    intro = next((n for n in parts.get("notes") or [] if n.endswith("：")), None)
    if intro:
        return intro.removesuffix("：")
    titles = [b["title"] for b in basis]
    shown = "、".join(titles[:2]) + f"等{len(titles)}处" if len(titles) > 2 else "、".join(titles)
    return "依据：" + shown


def visible_text(kind: str, parts: dict[str, Any]) -> list[str]:
    """The lines the page shows before the fold for one answer card (renderAnswer in static/widget/answer.js)."""
    verdict, next_step = parts.get("verdict") or "", parts.get("next_step") or ""
    leads: list[str] = list(((parts.get("basis") or [{}])[0]).get("lead") or [])  # the verdict's clause only
    lines = [verdict, *(n for n in parts.get("notes") or [] if not n.endswith("："))]
    if kind == "answer" and leads and not any(name in verdict or name in next_step for name in leads):
        lines.append("牵头单位：" + leads[0])
    lines += [next_step, fold_label(parts)]
    if not parts.get("basis"):  # nothing to fold: the notice is shown in view
        lines.append(parts.get("notice") or "")
    return [line for line in lines if line]


def measure(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    root = Path(tempfile.mkdtemp(prefix="ipr-length-"))
    config = local_stack(root)
    rows = []
    with Stack(config):
        for item in items:
            sender = f"length-{item['n']}-{time.monotonic_ns()}"
            replies = ask(config.webhook_url, sender, item["question"])
            if contract(replies)["kind"] == "ask_region" and item.get("region"):
                replies = ask(config.webhook_url, sender, REGION_NAMES[item["region"]])
            final = contract(replies)
            kind, parts = str(final.get("kind")), final.get("answer")
            if kind not in CARD_KINDS or not isinstance(parts, dict):
                rows.append({"n": item["n"], "kind": kind, "chars": None})
                continue
            lines = visible_text(kind, parts)
            full = len(text_of(replies).replace("\n", ""))  # the whole answer, as text channels get it
            rows.append({"n": item["n"], "kind": kind, "chars": sum(len(line) for line in lines), "full": full})
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    cards = [r for r in rows if r["chars"] is not None]
    counts = [r["chars"] for r in cards]

    def median_of(kind: str) -> float | None:
        values = [r["chars"] for r in cards if r["kind"] == kind]
        return statistics.median(values) if values else None

    return {
        "questions": len(rows),
        "answer_cards": len(cards),
        "median_visible_chars": statistics.median(counts) if counts else None,
        "median_answer": median_of("answer"),
        "median_limit": median_of("limit"),
        "max_visible_chars": max(counts) if counts else None,
        "median_full_text_chars": statistics.median(r["full"] for r in cards) if cards else None,
        "over_target": sorted(r["n"] for r in cards if r["chars"] > TARGET),
        "target": TARGET,
        "items": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args(argv)
    items = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    summary = summarize(measure(items))
    table = markdown_table(
        {
            "questions": summary["questions"],
            "answer cards (answer/limit)": summary["answer_cards"],
            "median visible chars": summary["median_visible_chars"],
            "median (answer)": summary["median_answer"],
            "median (limit)": summary["median_limit"],
            "max": summary["max_visible_chars"],
            f"over {TARGET}": len(summary["over_target"]),
            "median whole answer (text channels)": summary["median_full_text_chars"],
        }
    )
    note = (
        "\nCounted as the page shows an answer before the folded 依据: verdict, notes (not the one introducing the "
        "quotes), lead-unit chip when not already named, next step, the fold's label (the notice when nothing is folded). "
        "`.venv/bin/python -m bench.answer_length` (in-process answer engine, development questions).\n"
    )
    write_report("answer_length", "Answer length before the fold (chat page and widget)", summary, table + note)
    print(table)
    return 0 if summary["median_visible_chars"] is not None and summary["median_visible_chars"] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
