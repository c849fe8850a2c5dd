"""Latency of one message per enterprise channel through the real stack (gateway process → Rasa → actions → KB).

    .venv/bin/python -m bench.channels_latency [--messages 200]

Starts its own stack (loopback, temporary databases) with 企业微信, 钉钉 and 飞书 configured (Feishu's open API on a
loopback stand-in), warms it up, then sends the same conversation mix through each channel, the channels
interleaved message by message so that they share the machine's state alike. Measured per message, as the
platform sees it: WeCom — the encrypted passive reply received; DingTalk — the synchronous reply received; Feishu
— the reply message arriving at the open API (and, separately, the HTTP acknowledgement); the web chat API beside
them as the baseline. Writes bench/results/channels.{json,md}.
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

from bench.report import RESULTS, percentile
from bench.rest_latency import CONVERSATION
from bot.launcher import Stack
from tests.e2e.channels_support import FeishuApi, channel_env, dingtalk, feishu_post, feishu_text, wecom
from tests.support.http import post_json
from tests.support.stack import local_stack


def web(gateway: str, sender: str, message: str) -> None:
    reply = post_json(f"{gateway}/api/chat", {"sender": sender, "message": message})
    assert reply.status == 200, reply


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "messages": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200, help="messages per channel")
    args = parser.parse_args(argv)
    api = FeishuApi().start()
    config = local_stack(
        Path(tempfile.mkdtemp(prefix="ipr-bench-channels-")),
        gateway_env={**channel_env(), "RATE_LIMIT_PER_MINUTE": "0", "ACCEPT_CLIENT_CONVERSATION_IDS": "1"},
    )
    times: dict[str, list[float]] = {"web": [], "wecom": [], "dingtalk": [], "feishu": [], "feishu_ack": []}
    errors = 0
    with Stack(config, with_gateway=True):
        gateway = config.gateway_url
        for warm in range(3):
            web(gateway, f"warmup-web-{warm}", CONVERSATION[warm])
            wecom(gateway, CONVERSATION[warm], f"warmup{warm}")
        for index in range(args.messages):
            user, message = f"bench{index // len(CONVERSATION)}", CONVERSATION[index % len(CONVERSATION)]
            try:
                started = time.perf_counter()
                web(gateway, f"benchweb-{user}", message)
                times["web"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                wecom(gateway, message, user)
                times["wecom"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                dingtalk(gateway, message, user)
                times["dingtalk"].append((time.perf_counter() - started) * 1000)
                seen = len(api.requests)
                started = time.perf_counter()
                event = feishu_text(message, f"ou_{user}", f"oc_{user}")
                status, _ = feishu_post(gateway, event)
                times["feishu_ack"].append((time.perf_counter() - started) * 1000)
                assert status == 200
                api.wait_message(seen, to=event["event"]["message"]["message_id"])
                times["feishu"].append((time.perf_counter() - started) * 1000)
            except AssertionError as error:
                errors += 1
                print(f"error at message {index}: {error}", file=sys.stderr)
    api.stop()
    results: dict[str, Any] = {name: summary(values) for name, values in times.items() if values}
    results["errors"] = errors
    labels = {
        "web": "web chat `/api/chat` (baseline)",
        "wecom": "企业微信 `/wecom` (encrypted passive reply)",
        "dingtalk": "钉钉 `/dingtalk` (synchronous reply)",
        "feishu": "飞书 `/feishu` (until the reply reaches the open API)",
        "feishu_ack": "飞书 `/feishu` (HTTP acknowledgement only)",
    }
    lines = ["| channel | messages | p50 ms | p95 ms | p99 ms | mean ms |", "|---|---|---|---|---|---|"]
    for name, label in labels.items():
        if name in results:
            r = results[name]
            lines.append(
                f"| {label} | {r['messages']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['mean_ms']} |"
            )
    table = (
        "\n".join(lines) + f"\n\nErrors: {errors}. Sequential, one message at a time, SQLite tracker store, 2 cores.\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "channels.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "channels.md").write_text(
        "# One message per enterprise channel through the real stack\n\n"
        "`.venv/bin/python -m bench.channels_latency` — the same conversation mix as `make bench-rest`, channels "
        "interleaved message by message.\n\n" + table,
        encoding="utf-8",
    )
    print(table)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
