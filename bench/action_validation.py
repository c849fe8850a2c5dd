"""Cost of Rasa's check of one custom-action response, with the jsonschema the rasa env has installed.

    .venv-rasa/bin/python -m bench.action_validation        (make bench-validation)

Rasa 3.6 passes every action-server response through ``jsonschema.validate``, which re-checks the response schema
against its meta-schema on every call. Profiling Rasa under load (py-spy) showed this check at about half of
Rasa's CPU with jsonschema 4.17; the lock pins 3.2.0 (inside Rasa's own range) instead. This benchmark times the
check for a response shaped like ours (slot events and one answer with buttons) so the choice can be re-checked
whenever the lock changes. Writes bench/results/action_validation.{json,md}.
"""

from __future__ import annotations

import sys
import time
from importlib.metadata import version

from rasa.core.actions.action import RemoteAction

from bench.report import markdown_table, percentile, write_report

ANSWER = (
    "根据《贵州省关于强化知识产权保护的实施意见》第十七条：“健全知识产权海外维权援助机制……”\n"
    "牵头单位：省商务厅、省市场监管局（省知识产权局）\n仅供参考，不构成法律意见。"
)
RESPONSE = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "region", "value": "贵州"},
        {"event": "slot", "timestamp": None, "name": "topic", "value": "overseas_assistance"},
        {"event": "slot", "timestamp": None, "name": "cited_clauses", "value": ["guizhou/17"]},
    ],
    "responses": [
        {
            "text": ANSWER,
            "buttons": [
                {"title": "查看原文", "payload": "/show_clause"},
                {"title": "转人工", "payload": "/handoff"},
            ],
            "elements": [],
            "custom": {},
            "template": None,
            "response": None,
            "image": None,
            "attachment": None,
        }
    ],
}


def main(rounds: int = 300) -> int:
    action = RemoteAction("action_answer", None)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        valid = action._validate_action_result(RESPONSE)
        timings.append((time.perf_counter() - started) * 1000)
        if not valid:  # not an assert: under python -O the timed call itself would vanish
            raise SystemExit("Rasa rejected a response shaped like ours; the benchmark's RESPONSE needs updating")
    summary = {
        "jsonschema": version("jsonschema"),
        "rounds": rounds,
        "p50_ms": round(percentile(timings, 0.5), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
    }
    table = markdown_table(
        {"jsonschema": summary["jsonschema"], "p50 ms": summary["p50_ms"], "p95 ms": summary["p95_ms"]}
    )
    write_report("action_validation", "Rasa's check of one action response", summary, table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
