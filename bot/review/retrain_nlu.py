"""Held-out NLU figures of one model for a retrain (runs in the rasa env, as ``make eval`` does):

    .venv-rasa/bin/python -m bot.review.retrain_nlu MODEL OUT_DIR

``bench.nlu_eval`` runs exactly as ``make eval`` runs it — same examples, same scoring, same floors — but writes its
report into OUT_DIR instead of bench/results/ (a retrain compares two models and must not overwrite the figures of
the model the repository reports). Two things its summary leaves out are added to OUT_DIR/retrain_nlu.json: the
floors it applied (its command-line defaults, read from the parsed arguments, so they are never restated here) and
the F1 of every intent (its summary keeps the six weakest; a retrain shows each need before and after).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from bot.answers.needs import load_needs

# bench.nlu_eval's floor options → the figures they bound
FLOOR_OPTIONS = {
    "floor_intent": "intent_macro_f1",
    "floor_region": "region_f1",
    "floor_served": "served_accuracy",
    "floor_side": "side_macro_f1",
}


def run(model: Path, out: Path) -> dict[str, Any]:
    # Run, not type-checked: bench/ is outside mypy's scope (make lint), and it needs the rasa env to parse.
    nlu_eval = importlib.import_module("bench.nlu_eval")

    parses: list[list[dict[str, Any]]] = []
    parse_all = nlu_eval.parse_all

    async def keep(model_path: Path, texts: list[str]) -> list[dict[str, Any]]:
        parses.append(await parse_all(model_path, texts))
        return parses[-1]

    parse_args = argparse.ArgumentParser.parse_args
    out.mkdir(parents=True, exist_ok=True)
    with (
        mock.patch.object(nlu_eval, "RESULTS", out),
        mock.patch.object(nlu_eval, "parse_all", keep),
        mock.patch.object(argparse.ArgumentParser, "parse_args", autospec=True, side_effect=parse_args) as spy,
    ):
        code = nlu_eval.main([str(model)])
    parser, argv = spy.call_args.args[:2]
    options = parse_args(parser, argv)
    summary = json.loads((out / "nlu_eval.json").read_text(encoding="utf-8"))
    examples = nlu_eval.load_examples(options.data)
    gold = [e.intent for e in examples]
    predicted = [p["intent"]["name"] for p in parses[0]]
    _, per_intent = nlu_eval.macro_f1(gold, nlu_eval.score_fallback(gold, predicted))
    needs = load_needs(nlu_eval.PROJECT / "data" / "needs.yml")
    figures = {
        **{k: v for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)},
        "region_spans": sum(kind == "region" for e in examples for _, _, kind in e.spans),
        "floors": {figure: getattr(options, option) for option, figure in FLOOR_OPTIONS.items()},
        "per_need_f1": {name: round(per_intent[name], 4) for name in sorted(per_intent) if name in needs},
        "per_intent_f1": {name: round(value, 4) for name, value in sorted(per_intent.items())},
        "exit_code": code,
    }
    (out / "retrain_nlu.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.review.retrain_nlu")
    parser.add_argument("model", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    run(args.model, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
