"""Latency of one message through Rasa's REST webhook: NLU, policies, the custom action and the knowledge base.

    .venv/bin/python -m bench.rest_latency [--messages 500]        (make bench-rest)

Starts its own action server and Rasa server (loopback, temporary databases), warms them up, then sends the
messages one at a time (a mix of topic questions, follow-ups and chit-chat over many conversations) and writes
p50/p95/p99 to bench/results/rest_latency.{json,md}.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import markdown_table, percentile, write_report
from bot.launcher import Stack
from tests.support.http import post_json
from tests.support.stack import local_stack

CONVERSATION = [
    "贵州企业海外维权找谁",
    "那西藏呢？",
    "什么时候完成？",
    "有人在拼多多卖我们牌子的假货",
    "广西",
    "省商务厅负责哪些？",
    "保德县纠纷调解找谁",
    "谢谢",
    "西藏驰名商标有奖励吗",
    "今天天气怎么样",
]


def post(url: str, sender: str, message: str) -> list[object]:
    reply = post_json(url, {"sender": sender, "message": message})
    return list(reply.json()) if reply.status == 200 else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args(argv)
    config = local_stack(Path(tempfile.mkdtemp(prefix="ipr-bench-")))
    latencies, empty = [], 0
    with Stack(config):
        for warm in range(3):
            post(config.webhook_url, f"warmup-{warm}", CONVERSATION[warm])
        for index in range(args.messages):
            sender = f"bench-{index // len(CONVERSATION)}"
            started = time.perf_counter()
            replies = post(config.webhook_url, sender, CONVERSATION[index % len(CONVERSATION)])
            latencies.append((time.perf_counter() - started) * 1000)
            empty += not replies
    summary = {
        "messages": len(latencies),
        "empty_replies": empty,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "tracker_store": "SQLite",
    }
    table = markdown_table(
        {
            "messages": summary["messages"],
            "empty replies": empty,
            "p50 ms": summary["p50_ms"],
            "p95 ms": summary["p95_ms"],
            "p99 ms": summary["p99_ms"],
            "mean ms": summary["mean_ms"],
        }
    )
    write_report(
        "rest_latency",
        "One message through Rasa's REST webhook (sequential, SQLite tracker store, 2 cores)",
        summary,
        table,
    )
    print(table)
    return 0 if empty == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
