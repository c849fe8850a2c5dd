"""Held-out NLU evaluation (runs in the rasa env: it loads the trained model with Rasa's own Agent).

    .venv-rasa/bin/python -m bench.nlu_eval MODEL [--floor-intent 0.80 --floor-region 0.95 --floor-served 0.90 --floor-side 0.75]     (make eval)

Reads every file in tests/nlu/, parses each example with the model exactly as the server would, and reports:
intent macro-F1 (with the configured FallbackClassifier applied, so a fallback counts as wrong unless the example
is out_of_scope), region entity precision/recall/F1 (exact character spans), and a sweep of fallback thresholds
over the raw classifier confidences — the evidence for the threshold in config.yml. Writes bench/results/nlu_eval.json
and .md, prints the table, and exits 1 when a floor is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.answers.needs import load_needs

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")
ACCEPTABLE_FALLBACK = {"out_of_scope"}  # the retrieval fallback answers these as well as the intent would


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    spans: list[tuple[int, int, str]]  # (start, end, entity), annotations removed from the text
    side: str  # holder | accused | none (the block's metadata)


def load_examples(folder: Path) -> list[Example]:
    """Every example of every NLU file below ``folder``, with its entity spans and its side label."""
    examples = []
    for path in sorted(folder.rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            side = str((block.get("metadata") or {}).get("side") or "none")
            for line in block["examples"].splitlines():
                if not line.strip().startswith("- "):
                    continue
                raw, text, spans, cursor = line.strip()[2:], "", [], 0
                for match in ANNOTATION.finditer(raw):
                    text += raw[cursor : match.start()]
                    spans.append((len(text), len(text) + len(match.group(1)), match.group(2)))
                    text += match.group(1)
                    cursor = match.end()
                text += raw[cursor:]
                examples.append(Example(text, block["intent"], spans, side))
    return examples


def macro_f1(gold: list[str], predicted: list[str]) -> tuple[float, dict[str, float]]:
    labels = sorted(set(gold))
    per_label = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_label[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return sum(per_label.values()) / len(per_label), per_label


def apply_threshold(top: str, confidence: float, threshold: float) -> str:
    return top if confidence >= threshold else "nlu_fallback"


def score_fallback(gold: list[str], predicted: list[str]) -> list[str]:
    # A fallback on an out-of-scope example is the right outcome: count it as that intent.
    return [g if p == "nlu_fallback" and g in ACCEPTABLE_FALLBACK else p for g, p in zip(gold, predicted, strict=True)]


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent  # the rasa env only

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, default=PROJECT / "tests" / "nlu")
    # Needs overlap by design (a report is also a way to resolve a dispute; both are answered from the plans), so
    # macro-F1 over every intent is lower than the served/unserved accuracy that decides the kind of reply.
    parser.add_argument("--floor-intent", type=float, default=0.80)
    parser.add_argument("--floor-region", type=float, default=0.95)
    parser.add_argument("--floor-served", type=float, default=0.90)
    parser.add_argument("--floor-side", type=float, default=0.75)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.utils.log_utils import configure_structlog  # the rasa env only; silences per-message debug lines

    configure_structlog(logging.ERROR)

    examples = load_examples(args.data)
    parses = asyncio.run(parse_all(args.model, [e.text for e in examples]))
    gold = [e.intent for e in examples]
    served = [p["intent"]["name"] for p in parses]  # what the server does, fallback included
    raw = [
        next((r for r in p["intent_ranking"] if r["name"] != "nlu_fallback"), {"name": "", "confidence": 0.0})
        for p in parses
    ]

    intent_f1, per_intent = macro_f1(gold, score_fallback(gold, served))
    sweep = {}
    for step in range(0, 95, 5):
        threshold = step / 100
        predicted = [apply_threshold(r["name"], r["confidence"], threshold) for r in raw]
        sweep[threshold] = round(macro_f1(gold, score_fallback(gold, predicted))[0], 4)

    gold_regions = {(i, s, e) for i, example in enumerate(examples) for s, e, kind in example.spans if kind == "region"}
    found_regions = {
        (i, ent["start"], ent["end"])
        for i, p in enumerate(parses)
        for ent in p.get("entities", [])
        if ent["entity"] == "region"
    }
    tp = len(gold_regions & found_regions)
    precision = tp / len(found_regions) if found_regions else 0.0
    recall = tp / len(gold_regions) if gold_regions else 0.0
    region_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    confusions = Counter((g, p) for g, p in zip(gold, score_fallback(gold, served), strict=True) if g != p)
    summary = {
        "model": args.model.name,
        "examples": len(examples),
        "intents": len(set(gold)),
        "intent_macro_f1": round(intent_f1, 4),
        "fallback_rate": round(served.count("nlu_fallback") / len(served), 4),
        "region_precision": round(precision, 4),
        "region_recall": round(recall, 4),
        "region_f1": round(region_f1, 4),
        "fallback_threshold_sweep": sweep,
        "weakest_intents": dict(sorted(per_intent.items(), key=lambda kv: kv[1])[:6]),
        "top_confusions": [f"{g} → {p} ×{n}" for (g, p), n in confusions.most_common(10)],
        "region_misses": [examples[i].text for i, *_ in sorted(gold_regions - found_regions)][:10],
        "region_false_alarms": [examples[i].text for i, *_ in sorted(found_regions - gold_regions)][:10],
        **need_figures(examples, parses),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "nlu_eval.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    best = max(sweep.items(), key=lambda kv: (kv[1], -abs(kv[0] - 0.5)))
    table = (
        "| held-out examples | intents | intent macro-F1 | fallback rate | region P | region R | region F1 |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| {summary['examples']} | {summary['intents']} | {intent_f1:.3f} | {summary['fallback_rate']:.3f} "
        f"| {precision:.3f} | {recall:.3f} | {region_f1:.3f} |\n\n"
        f"Fallback threshold sweep (macro-F1 by threshold, fallback on out_of_scope counts as right): best "
        f"{best[0]:.2f} → {best[1]:.3f}.\n\n" + " ".join(f"{t:.2f}:{f:.3f}" for t, f in sweep.items()) + "\n"
    )
    table += need_table(summary)
    (RESULTS / "nlu_eval.md").write_text("# Held-out NLU evaluation\n\n" + table)
    print(table)
    print("weakest intents:", summary["weakest_intents"])
    print("top confusions:", "; ".join(summary["top_confusions"]))
    if summary["region_misses"]:
        print("region misses:", summary["region_misses"])
    if summary["region_false_alarms"]:
        print("region false alarms:", summary["region_false_alarms"])
    failed = (
        intent_f1 < args.floor_intent
        or region_f1 < args.floor_region
        or summary["served_accuracy"] < args.floor_served
        or summary["side_macro_f1"] < args.floor_side
    )
    if failed:
        print(
            f"below the floor: intent macro-F1 ≥ {args.floor_intent}, region F1 ≥ {args.floor_region}, "
            f"served/unserved accuracy ≥ {args.floor_served}, side macro-F1 ≥ {args.floor_side}"
        )
    return 1 if failed else 0


def need_figures(examples: list[Example], parses: list[dict]) -> dict[str, object]:
    """What the answer engine depends on: whether a need the plans serve is told from one they cannot (the costly
    confusion), the side, and how often asking "which did you mean?" below a confidence would catch a wrong need."""
    needs = load_needs(PROJECT / "data" / "needs.yml")
    rows = []
    for example, parse in zip(examples, parses, strict=True):
        if example.intent not in needs:
            continue
        ranked = [r for r in parse["intent_ranking"] if r["name"] in needs]
        top = ranked[0] if ranked else {"name": "", "confidence": 0.0}
        side = (parse.get("side") or {}).get("name", "none")
        served = needs[top["name"]].served if top["name"] in needs else None
        rows.append((example, top["name"], float(top["confidence"]), side, served))
    served_right = [served == needs[e.intent].served for e, _, _, _, served in rows]
    side_f1, per_side = macro_f1([e.side for e, *_ in rows], [side for _, _, _, side, _ in rows])
    sweep = {}
    for step in range(0, 65, 5):
        threshold = step / 100
        asked = [(e, n, c, s, sv) for e, n, c, s, sv in rows if c < threshold]
        kept = [(e, n, c, s, sv) for e, n, c, s, sv in rows if c >= threshold]
        sweep[threshold] = {
            "asked": round(len(asked) / len(rows), 3),
            "served_errors_caught": sum(sv != needs[e.intent].served for e, _, _, _, sv in asked),
            "served_errors_left": sum(sv != needs[e.intent].served for e, _, _, _, sv in kept),
        }
    wrong = Counter(f"{e.intent} → {n}" for e, n, _, _, sv in rows if sv is not None and sv != needs[e.intent].served)
    return {
        "need_examples": len(rows),
        "served_accuracy": round(sum(served_right) / len(rows), 4) if rows else 0.0,
        "side_macro_f1": round(side_f1, 4),
        "side_f1": {k: round(v, 3) for k, v in per_side.items()},
        "confirm_sweep": sweep,
        "served_confusions": [f"{k} ×{n}" for k, n in wrong.most_common(12)],
    }


def need_table(summary: dict) -> str:
    sweep = summary["confirm_sweep"]
    rows = "\n".join(
        f"| {t:.2f} | {v['asked']:.3f} | {v['served_errors_caught']} | {v['served_errors_left']} |"
        for t, v in sweep.items()
    )
    return (
        f"\nNeeds ({summary['need_examples']} examples): served/unserved accuracy {summary['served_accuracy']:.3f}, "
        f"side macro-F1 {summary['side_macro_f1']:.3f} ({summary['side_f1']}).\n\n"
        "Asking which need was meant below a confidence (两步确认, `NEED_CONFIDENCE` in bot/answers/compose.py):\n\n"
        "| confidence below | share asked | served/unserved errors caught | errors left |\n|---|---|---|---|\n"
        f"{rows}\n\nServed/unserved confusions: {'; '.join(summary['served_confusions']) or 'none'}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
