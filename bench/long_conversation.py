"""One long conversation through the gateway: does turn 500 cost what turn 1 costs, and is the state still right?

    .venv/bin/python -m bench.long_conversation [--turns 500]        (make bench-long)

Starts its own stack (action server, Rasa with the trained model and a SQLite tracker store, gateway; loopback) and
sends one conversation of ``--turns`` messages, one at a time: questions, region follow-ups, a question that waits
for its region, deadlines, thanks. The last two turns ask "那广西呢？" and then a question naming no region, so
turns 499–500 show whether the last question and the region slot are still right; after turn 500 every slot in
the tracker store is checked too (region, last question, no question left pending, last clauses = the last
answer's). The gateway starts a new Rasa session every RASA_SESSION_TURNS (30) messages, carrying the slots over;
``--session-turns 0`` measures without. Writes the p50 of the first and last 50 turns and their ratio (issue 12's
target: ≤ 1.5) to bench/results/long_conversation.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.report import markdown_table, write_report
from bot.launcher import Stack
from bot.settings import Settings
from tests.support.http import post_json
from tests.support.stack import local_stack

SCRIPT = [
    "贵州企业海外维权找谁",
    "那西藏呢？",
    "什么时候完成？",
    "举报卖高仿包有奖励吗",
    "云南",
    "谢谢",
    "保德县纠纷调解找谁",
    "卖假货会判几年",
]
SWITCH = "那广西呢？"  # the last question again, for 广西: the region slot and the last question
FOLLOW = "有人在网上卖我们品牌的假货怎么办"  # no region named: answered for the remembered one
WINDOW = 50
TARGET_RATIO = 1.5


def say(url: str, sender: str, message: str) -> tuple[float, list[dict[str, Any]]]:
    started = time.perf_counter()
    reply = post_json(url, {"sender": sender, "message": message})
    seconds = time.perf_counter() - started
    assert reply.status == 200, (reply.status, message)
    return seconds, list(reply.json()["messages"])


def contract(messages: list[dict[str, Any]]) -> dict[str, Any]:
    custom = messages[-1].get("custom") if messages else None
    return custom if isinstance(custom, dict) else {}


def slots_at_the_end(tracker_url: str, sender: str) -> dict[str, Any]:
    """Each slot's value after the last turn: its latest slot event in the tracker store, over every session."""
    engine = create_engine(tracker_url)
    query = text("SELECT action_name, data FROM events WHERE sender_id = :sender AND type_name = 'slot' ORDER BY id")
    with engine.connect() as connection:
        slots = {name: json.loads(data)["value"] for name, data in connection.execute(query, {"sender": sender})}
    engine.dispose()
    return slots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--session-turns", type=int, default=Settings().rasa_session_turns)
    args = parser.parse_args(argv)
    # One client sends every turn: the per-address rate limit (which has its own tests) would stop it.
    gateway_env = {"RATE_LIMIT_PER_MINUTE": "0", "RASA_SESSION_TURNS": str(args.session_turns)}
    config = local_stack(Path(tempfile.mkdtemp(prefix="ipr-long-")), gateway_env=gateway_env)
    sender = "long-conversation-0001"
    timings: list[float] = []
    with Stack(config, with_gateway=True):
        url = f"{config.gateway_url}/api/chat"
        say(url, "long-warmup-0001", SCRIPT[0])
        for turn in range(args.turns - 2):
            seconds, _ = say(url, sender, SCRIPT[turn % len(SCRIPT)])
            timings.append(seconds)
        seconds, switched = say(url, sender, SWITCH)
        timings.append(seconds)
        seconds, answered = say(url, sender, FOLLOW)
        timings.append(seconds)
    first = statistics.median(timings[:WINDOW]) * 1000
    last = statistics.median(timings[-WINDOW:]) * 1000
    slots = slots_at_the_end(config.tracker_url, f"web-{sender}")
    cited = [c["ref"] for c in contract(answered).get("citations", [])]
    state_right = (
        contract(switched).get("region") == "guangxi"
        and contract(answered).get("kind") == "answer"
        and contract(answered).get("region") == "guangxi"
        and bool(cited)
        and all(ref.startswith("guangxi/") for ref in cited)
        and slots.get("region") == "广西壮族自治区"  # the slot holds the region's Chinese name
        and slots.get("last_question") == FOLLOW
        and slots.get("pending_question") is None
        and slots.get("last_refs") == cited
    )
    summary = {
        "turns": len(timings),
        "p50_first_ms": round(first, 1),
        "p50_last_ms": round(last, 1),
        "ratio": round(last / first, 2),
        "target_ratio": TARGET_RATIO,
        "slots_right_at_last_turn": state_right,
        "tracker_store": "SQLite",
        "session_turns": args.session_turns,
        "slots_at_the_end": slots,
    }
    table = markdown_table(
        {
            "turns": summary["turns"],
            f"p50 turns 1–{WINDOW} ms": summary["p50_first_ms"],
            f"p50 last {WINDOW} turns ms": summary["p50_last_ms"],
            "ratio": summary["ratio"],
            "new Rasa session every": f"{args.session_turns} messages" if args.session_turns else "never",
            "slots and answers right at the last turns": "yes" if state_right else "NO",
        }
    )
    write_report(
        "long_conversation", "One long conversation through the gateway (SQLite tracker store, 2 cores)", summary, table
    )
    print(table)
    assert state_right, (contract(switched), contract(answered), slots)
    return 0 if last / first <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
