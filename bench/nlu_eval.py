"""Held-out NLU evaluation (runs in the rasa env: it loads the trained model with Rasa's own Agent).

    .venv-rasa/bin/python -m bench.nlu_eval MODEL [--floor-intent 0.90 --floor-region 0.95]     (make eval)

Reads every file in tests/nlu/, parses each example with the model exactly as the server would, and reports:
intent macro-F1 (with the configured FallbackClassifier applied, so a fallback counts as wrong unless the example
is out_of_scope), region entity precision/recall/F1 (exact character spans), and a sweep of fallback thresholds
over the raw DIET confidences — the evidence for the threshold in config.yml. Writes bench/results/nlu_eval.json
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
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")
ACCEPTABLE_FALLBACK = {"out_of_scope"}  # the retrieval fallback answers these as well as the intent would


def load_examples(folder: Path) -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(text, intent, [(start, end, entity)]) for every example, annotations removed from the text."""
    examples = []
    for path in sorted(folder.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
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
                examples.append((text, block["intent"], spans))
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
    parser.add_argument("--floor-intent", type=float, default=0.90)
    parser.add_argument("--floor-region", type=float, default=0.95)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.utils.log_utils import configure_structlog  # the rasa env only; silences per-message debug lines

    configure_structlog(logging.ERROR)

    examples = load_examples(args.data)
    parses = asyncio.run(parse_all(args.model, [text for text, _, _ in examples]))
    gold = [intent for _, intent, _ in examples]
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

    gold_regions = {(i, s, e) for i, (_, _, spans) in enumerate(examples) for s, e, kind in spans if kind == "region"}
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
        "region_misses": [examples[i][0] for i, *_ in sorted(gold_regions - found_regions)][:10],
        "region_false_alarms": [examples[i][0] for i, *_ in sorted(found_regions - gold_regions)][:10],
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
    (RESULTS / "nlu_eval.md").write_text("# Held-out NLU evaluation\n\n" + table)
    print(table)
    print("weakest intents:", summary["weakest_intents"])
    print("top confusions:", "; ".join(summary["top_confusions"]))
    if summary["region_misses"]:
        print("region misses:", summary["region_misses"])
    if summary["region_false_alarms"]:
        print("region false alarms:", summary["region_false_alarms"])
    failed = intent_f1 < args.floor_intent or region_f1 < args.floor_region
    if failed:
        print(f"below the floor: intent macro-F1 ≥ {args.floor_intent}, region F1 ≥ {args.floor_region}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
