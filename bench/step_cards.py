"""Step cards on rewordings (bench/step_cards.yaml): through the real model, action server and knowledge base, the
share of situations that get their card — the question, the region when asked (or offered), then the card — and
the share of other questions that get none.

    .venv/bin/python -m bench.step_cards

Writes bench/results/step_cards.{json,md}.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.real_questions import ask, contract
from bench.report import markdown_table, write_report
from bot.launcher import Stack
from tests.support.stack import local_stack

QUESTIONS = Path(__file__).resolve().parent / "step_cards.yaml"
ASKING_KINDS = ("ask_region", "limit")  # the region question, or an honest limit with the regions offered


def card_of(url: str, item: dict[str, Any]) -> str | None:
    sender = f"cards-{time.monotonic_ns()}"
    replies = ask(url, sender, item["q"])
    first = contract(replies)
    if first.get("situation"):
        return str(first["situation"])
    if first["kind"] not in ASKING_KINDS and not _offers(replies, item["region"]):
        return None
    final = contract(ask(url, sender, item["region"]))
    return str(final["situation"]) if final.get("situation") else None


def _offers(replies: list[dict[str, Any]], region: str) -> bool:
    """The answer (across the plans) offers the user's region as a button: a user would press it."""
    return any(str(b.get("title", "")).startswith(region) for r in replies for b in r.get("buttons") or [])


def main() -> int:
    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    config = local_stack(Path(tempfile.mkdtemp(prefix="ipr-cards-")))
    with Stack(config):
        got = [(item, card_of(config.webhook_url, item)) for item in items]
    situations = [(i, g) for i, g in got if i["situation"]]
    others = [(i, g) for i, g in got if not i["situation"]]
    summary = {
        "situations": len(situations),
        "right_card": sum(g == i["situation"] for i, g in situations),
        "no_card": sum(g is None for i, g in situations),
        "other_card": sum(g is not None and g != i["situation"] for i, g in situations),
        "other_questions": len(others),
        "other_questions_without_card": sum(g is None for _, g in others),
        "misses": [{"q": i["q"], "expected": i["situation"], "got": g} for i, g in got if g != i["situation"]],
    }
    table = markdown_table(
        {
            "situations asked": summary["situations"],
            "right card": summary["right_card"],
            "no card": summary["no_card"],
            "another card": summary["other_card"],
            "other questions without a card": f"{summary['other_questions_without_card']} of {len(others)}",
        }
    )
    rows = "\n".join(f"| {m['q']} | {m['expected']} | {m['got']} |" for m in summary["misses"])
    details = f"{table}\n\nMisses:\n\n| question | expected | got |\n|---|---|---|\n{rows}\n"
    write_report("step_cards", "Step cards on rewordings (bench/step_cards.yaml), real model", summary, details)
    print(details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
