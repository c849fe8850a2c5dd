"""Retrieval benchmark: Recall@1 / Recall@3 and latency over the question table in tests/kb/retrieval_cases.yml, for
the clause-level search (the staff console, the CLI) and for the answer engine (what an answer cites).

    .venv/bin/python -m bench.retrieval          (make bench)

Writes bench/results/retrieval.json and bench/results/retrieval.md; prints the figures and the misses.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.report import markdown_table, write_report
from bot.answers.compose import answer
from bot.answers.model import Conversation, Parse
from bot.answers.needs import Need, load_needs
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import PROJECT_ROOT, Settings

CASES_FILE = PROJECT_ROOT / "tests" / "kb" / "retrieval_cases.yml"


@dataclass(frozen=True)
class Outcome:
    question: str
    expected: list[str]
    got: list[str]
    seconds: float

    @property
    def at1(self) -> bool:
        return bool(self.got) and self.got[0] in self.expected

    @property
    def at3(self) -> bool:
        return any(ref in self.expected for ref in self.got[:3])


def load_cases(path: Path = CASES_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def evaluate(kb: KnowledgeBase, cases: list[dict]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        started = time.perf_counter()
        hits = kb.search(case["q"], region=case.get("region"), limit=3)
        outcomes.append(Outcome(case["q"], case["expected"], [h.item.ref for h in hits], time.perf_counter() - started))
    return outcomes


def evaluate_answers(kb: KnowledgeBase, needs: dict[str, Need], wording: Wording, cases: list[dict]) -> list[Outcome]:
    """The same questions through the answer engine (bot/answers) with the need each one asks (as the NLU model
    would read it): the clauses an answer cites, in order. A case without a region that the engine answers with a
    region question is asked again with the expected plan's region."""
    outcomes = []
    for case in (c for c in cases if c["need"] in needs):  # an agency's duties are another action's
        started = time.perf_counter()
        text = f"{case['region']} {case['q']}" if case.get("region") else case["q"]
        reply = answer(kb, needs, wording, text, Parse.of(case["need"]), Conversation())
        if reply.kind == "ask_region" or (reply.pending is not None and not reply.cited):
            region = kb.by_ref(case["expected"][0]).document.region
            state = Conversation(pending=reply.pending, need=reply.need, side=reply.side)
            reply = answer(kb, needs, wording, region, Parse("inform", 1.0), state)
        outcomes.append(Outcome(case["q"], case["expected"], reply.refs, time.perf_counter() - started))
    return outcomes


def summarize(outcomes: list[Outcome]) -> dict:
    latencies = sorted(o.seconds * 1000 for o in outcomes)
    return {
        "questions": len(outcomes),
        "recall_at_1": round(sum(o.at1 for o in outcomes) / len(outcomes), 4),
        "recall_at_3": round(sum(o.at3 for o in outcomes) / len(outcomes), 4),
        "latency_ms_p50": round(statistics.median(latencies), 2),
        "latency_ms_max": round(latencies[-1], 2),
        "misses_at_3": [{"q": o.question, "expected": o.expected, "got": o.got} for o in outcomes if not o.at3],
    }


def main() -> int:
    kb = open_knowledge_base(Settings.from_env())
    _ = kb.sentences  # the sentence index is built once per snapshot, on first use: not a question's time
    summary = summarize(evaluate(kb, load_cases()))
    needs = load_needs(Settings().needs_file)
    answers = summarize(evaluate_answers(kb, needs, Wording.load(PROJECT_ROOT / "domain.yml"), load_cases()))
    summary["answers"] = answers
    table = markdown_table(
        {
            "questions": summary["questions"],
            "Recall@1": f"{summary['recall_at_1']:.3f}",
            "Recall@3": f"{summary['recall_at_3']:.3f}",
            "p50 ms": summary["latency_ms_p50"],
            "max ms": summary["latency_ms_max"],
            "answers Recall@1": f"{answers['recall_at_1']:.3f}",
            "answers Recall@3": f"{answers['recall_at_3']:.3f}",
            "answers p50 ms": answers["latency_ms_p50"],
        }
    )
    write_report("retrieval", "Retrieval benchmark", summary, table)
    print(table)
    for miss in summary["misses_at_3"]:
        print(f"miss: {miss['q']} → {miss['got']} (expected {miss['expected']})")
    for miss in answers["misses_at_3"]:
        print(f"answer miss: {miss['q']} → {miss['got']} (expected {miss['expected']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
