"""Load benchmark: simulated users holding multi-turn conversations through the gateway.

    .venv/bin/python -m bench.load [--users 20] [--seconds 300]          (make bench-load)

Starts its own stack (action server, Rasa, gateway; temporary databases; rate limit off, since every simulated
user comes from 127.0.0.1), then each user talks for the given time, one message after another. Reports p50/p95/p99
latency, messages per second, errors, peak RSS of each process (sampled from /proc), and where the time goes:
gateway (total minus the Rasa time the gateway reports in Server-Timing), Rasa NLU + policies (Rasa time minus the
action time), and the custom action with its knowledge-base query (timed at the action server's webhook with the
same kind of requests). Writes bench/results/load.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bench.report import markdown_table, percentile, write_report
from bot.launcher import Stack, StackConfig
from tests.support.postgres import temporary_postgres
from tests.support.redis import temporary_redis
from tests.support.stack import local_stack

CONVERSATIONS = [
    ["你好", "贵州企业海外维权找谁", "那西藏呢？", "什么时候完成？", "谢谢"],
    ["有人在拼多多卖我们牌子的假货", "广西", "查看原文", "转人工"],
    ["保德县纠纷调解找谁", "什么时候完成？", "省商务厅负责哪些？", "再见"],
    ["西藏驰名商标有奖励吗", "贵州和云南在海外维权上有什么不同", "今天天气怎么样", "回答很有用"],
]
ACTION_PROBE = ["贵州企业海外维权找谁", "西藏驰名商标有奖励吗", "保德县纠纷调解找谁"]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    rasa: list[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0


def pss_mb(pid: int) -> float:
    """Proportional set size: shared pages (TensorFlow's libraries in two Rasa replicas) counted once overall."""
    total = 0
    for rollup in [Path(f"/proc/{pid}/smaps_rollup")]:
        try:
            for line in rollup.read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (one process group per server), in MB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("Pid", "").strip() == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


async def user(
    session: aiohttp.ClientSession, url: str, index: int, deadline: float, tally: Tally, think: float
) -> None:
    turn = 0
    conversation = 0
    while time.monotonic() < deadline:
        script = CONVERSATIONS[(index + conversation) % len(CONVERSATIONS)]
        sender = f"load{index:03d}c{conversation:05d}"
        message = script[turn]
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": message}) as response:
                await response.read()
                ok = response.status == 200
                timing = response.headers.get("Server-Timing", "")
        except (aiohttp.ClientError, asyncio.TimeoutError):
            ok, timing = False, ""
        tally.sent += 1
        if ok:
            tally.latencies.append((time.perf_counter() - started) * 1000)
            if "dur=" in timing:
                tally.rasa.append(float(timing.split("dur=")[1]))
        else:
            tally.errors += 1
        if think:
            await asyncio.sleep(think)  # a person reads the answer before typing again
        turn += 1
        if turn == len(script):
            turn, conversation = 0, conversation + 1


async def probe_actions(action_url: str, domain: dict[str, object], rounds: int = 100) -> list[float]:
    """Time the action server alone: action_answer_topic with the knowledge-base query, as Rasa calls it."""
    timings = []
    async with aiohttp.ClientSession() as session:
        for index in range(rounds):
            text = ACTION_PROBE[index % len(ACTION_PROBE)]
            payload = {
                "next_action": "action_answer_topic",
                "sender_id": f"probe{index}",
                "version": "3.6.2",
                "domain": domain,
                "tracker": {
                    "sender_id": f"probe{index}",
                    "slots": {},
                    "latest_message": {
                        "text": text,
                        "intent": {"name": "overseas_assistance", "confidence": 0.99},
                        "entities": [],
                    },
                    "events": [],
                    "paused": False,
                    "followup_action": None,
                    "active_loop": {},
                    "latest_action_name": "action_listen",
                },
            }
            started = time.perf_counter()
            async with session.post(f"{action_url}/webhook", json=payload) as response:
                await response.read()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


async def run(config: StackConfig, users: int, seconds: float, stack: Stack, think: float = 0.0) -> dict[str, object]:
    tally = Tally()
    peaks: dict[str, float] = {name: 0.0 for name in stack.processes}
    pss_peak = 0.0
    deadline = time.monotonic() + seconds

    async def sample() -> None:
        while time.monotonic() < deadline + 1:
            nonlocal pss_peak
            for name, process in stack.processes.items():
                peaks[name] = max(peaks[name], rss_mb(process.pid))
            pss_peak = max(pss_peak, sum(pss_mb(p.pid) for p in stack.processes.values()))
            await asyncio.sleep(0.5)

    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=users + 5)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        url = f"{config.gateway_url}/api/chat"
        started = time.monotonic()
        await asyncio.gather(sample(), *(user(session, url, i, deadline, tally, think) for i in range(users)))
        elapsed = time.monotonic() - started
    action_ms = await probe_actions(config.action_url, yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8")))
    rasa_p50 = statistics.median(tally.rasa) if tally.rasa else 0.0
    p50 = statistics.median(tally.latencies) if tally.latencies else 0.0
    action_p50 = statistics.median(action_ms)
    return {
        "users": users,
        "think_seconds": think,
        "seconds": round(elapsed, 1),
        "messages": tally.sent,
        "errors": tally.errors,
        "messages_per_second": round(len(tally.latencies) / elapsed, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(percentile(tally.latencies, 0.95), 1),
        "p99_ms": round(percentile(tally.latencies, 0.99), 1),
        "layers_p50_ms": {
            "gateway": round(max(p50 - rasa_p50, 0.0), 1),
            "rasa_nlu_and_policies": round(max(rasa_p50 - action_p50, 0.0), 1),
            "action_and_knowledge_base": round(action_p50, 1),
        },
        "peak_rss_mb": {name: round(value) for name, value in peaks.items()},
        "peak_rss_total_mb": round(sum(peaks.values())),
        "peak_pss_total_mb": round(pss_peak),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user waits between messages")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="Rasa replicas; more than one runs on a throwaway PostgreSQL + Redis, as deployed",
    )
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="ipr-load-"))
    with contextlib.ExitStack() as servers:
        stores: dict[str, object] = {}
        if args.replicas > 1:  # as deployed: conversations in PostgreSQL, locks in Redis
            stores["tracker_url"] = servers.enter_context(temporary_postgres("rasa_load")).replace("+psycopg", "")
            redis_port = servers.enter_context(temporary_redis())
            stores["extra_env"] = {
                "LOCK_STORE_TYPE": "redis",
                "LOCK_STORE_HOST": "127.0.0.1",
                "LOCK_STORE_PORT": str(redis_port),
            }
        config = local_stack(root, replicas=args.replicas, gateway_env={"RATE_LIMIT_PER_MINUTE": "0"}, **stores)
        with Stack(config, with_gateway=True) as stack:
            summary = asyncio.run(run(config, args.users, args.seconds, stack, args.think))
    summary["rasa_replicas"] = args.replicas
    summary["tracker_store"] = "PostgreSQL + Redis lock store" if args.replicas > 1 else "SQLite"
    layers: dict[str, float] = summary["layers_p50_ms"]  # type: ignore[assignment]
    peaks: dict[str, float] = summary["peak_rss_mb"]  # type: ignore[assignment]
    table = markdown_table(
        {
            "Rasa replicas": args.replicas,
            "think s": args.think,
            "users": summary["users"],
            "seconds": summary["seconds"],
            "messages": summary["messages"],
            "errors": summary["errors"],
            "msg/s": summary["messages_per_second"],
            "p50 ms": summary["p50_ms"],
            "p95 ms": summary["p95_ms"],
            "p99 ms": summary["p99_ms"],
            "peak RSS MB": summary["peak_rss_total_mb"],
            "peak PSS MB": summary["peak_pss_total_mb"],
        }
    )
    table += "\nPer layer (p50 ms): " + ", ".join(f"{k} {v}" for k, v in layers.items())
    table += "\nPeak RSS per process (MB): " + ", ".join(f"{k} {v}" for k, v in peaks.items()) + "\n"
    name = "load" if args.replicas == 1 else f"load-{args.replicas}-replicas"
    name += f"-think-{args.think:g}s" if args.think else ""
    write_report(
        name, f"Load: simulated users through the gateway ({summary['tracker_store']}, 2 cores)", summary, table
    )
    print(table)
    return 0 if summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
