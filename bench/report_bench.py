"""Demand report on a six-month synthetic record set: every figure recounted by direct SQL, and the time to build.

    .venv/bin/python -m bench.report_bench --conversations 50000      # → bench/results/report.{json,md}

``sql_counts`` recounts the report's figures straight from the two SQLite databases (window functions, json_each)
by the definitions in ``bot.report.demand``; ``report_counts`` reads the same figures off a ``DemandReport``. The
test (``tests/test_report.py``) compares them on 2,000 conversations, this benchmark on 50,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bench.report import markdown_table, write_report
from bench.synthetic_records import generate
from bot.answers.needs import load_needs
from bot.kb.agencies import KINDS_BY_ID
from bot.kb.db import make_engine
from bot.kb.regions import Gazetteer
from bot.kb.service import open_knowledge_base
from bot.report.demand import NO_AGENCY, NO_REGION, OTHER_AGENCY, TOP, DemandReport
from bot.report.render import csv_text, markdown
from bot.report.service import demand_report
from bot.report.svg import charts
from bot.settings import Settings
from bot.text import ChineseTokenizer

WEEK = "date({t}, 'weekday 0', '-6 days')"  # Monday of the week of a Beijing-time moment
EPOCH_BJ = "datetime(timestamp + 28800, 'unixepoch')"
STORED_BJ = "datetime(created_at, '+8 hours')"


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def sql_counts(
    records_url: str, tracker_url: str, topics: list[str], known_agencies: set[str], gazetteer: Gazetteer
) -> dict[str, Any]:
    """The report's figures by direct SQL on the SQLite databases (a named region resolved by the gazetteer)."""
    tracker, records = make_engine(tracker_url), make_engine(records_url)
    in_topics = ", ".join(f"'{t}'" for t in topics)  # ids are ASCII snake_case (checked by load_topics)
    try:
        topic_region = _rows(
            tracker,
            f"""
            with turns as (
              select id, sender_id, intent_name,
                     lead(id) over (partition by sender_id order by id) as next_id
              from events where type_name = 'user')
            select intent_name,
                   (select json_extract(j.value, '$.value')
                      from events m, json_each(json_extract(m.data, '$.parse_data.entities')) j
                     where m.id = turns.id and json_extract(j.value, '$.entity') = 'region' limit 1) as named,
                   (select json_extract(s.data, '$.value') from events s
                     where s.sender_id = turns.sender_id and s.type_name = 'slot' and s.action_name = 'region'
                       and (turns.next_id is null or s.id < turns.next_id)
                     order by s.id desc limit 1) as region,
                   count(*)
            from turns where intent_name in ({in_topics}) group by 1, 2, 3""",
        )
        cited = _rows(
            tracker,
            """select j.value, count(*) from events e, json_each(json_extract(e.data, '$.value')) j
               where e.type_name = 'slot' and e.action_name = 'last_refs' group by j.value""",
        )
        agency_rows = _rows(
            tracker,
            """select e.id, json_extract(j.value, '$.value') from events e
               left join json_each(json_extract(e.data, '$.parse_data.entities')) j
                 on json_extract(j.value, '$.entity') = 'agency'
               where e.type_name = 'user' and e.intent_name = 'agency_duties'""",
        )
        week_turns = _rows(
            tracker,
            f"""select {WEEK.format(t=EPOCH_BJ)} as w, count(distinct sender_id),
                       sum(case when intent_name in ({in_topics}) then 1 else 0 end)
                from events where type_name = 'user' group by w""",
        )
        conversations = _rows(tracker, "select count(distinct sender_id) from events where type_name = 'user'")[0][0]
        feedback = _rows(
            records,
            """select j.value, sum(f.positive), sum(1 - f.positive) from feedback f, json_each(f.clause_refs) j
               group by j.value""",
        )
        handoffs = _rows(records, "select count(*), coalesce(sum(handled), 0) from handoff_cases")[0]
        unanswered = _rows(records, "select count(*) from unanswered_questions")[0][0]
        weeks: dict[str, list[int]] = {w: [c, q, 0, 0, 0, 0] for w, c, q in week_turns}
        for column, sql in (
            (2, "select {w} as w, count(*) from unanswered_questions group by w"),
            (3, "select {w} as w, count(*) from handoff_cases group by w"),
            (4, "select {w} as w, count(*) from feedback where positive group by w"),
            (5, "select {w} as w, count(*) from feedback where not positive group by w"),
        ):
            for week, count in _rows(records, sql.format(w=WEEK.format(t=STORED_BJ))):
                weeks.setdefault(week, [0] * 6)[column] = count
    finally:
        tracker.dispose()
        records.dispose()
    agencies: dict[str, int] = {}
    seen: set[tuple[int, str]] = set()
    for event_id, name in agency_rows:  # each name once per message, as the report counts it
        if name is not None and (event_id, name) in seen:
            continue
        seen.add((event_id, name))
        key = NO_AGENCY if name is None else name if name in known_agencies else OTHER_AGENCY
        agencies[key] = agencies.get(key, 0) + 1
    by_topic_region: dict[str, int] = {}
    for topic, named, slot, count in topic_region:
        mention = gazetteer.resolve(named) if named else None
        key = f"{topic}|{(mention.division.name if mention else None) or slot or NO_REGION}"
        by_topic_region[key] = by_topic_region.get(key, 0) + count
    return {
        "conversations": conversations,
        "questions": sum(row[-1] for row in topic_region),
        "topic_region": by_topic_region,
        "cited_top": [[r, n] for r, n in sorted(cited, key=lambda rn: (-rn[1], rn[0]))[:TOP]],
        "agencies_top": [
            [a, n]
            for a, n in sorted(agencies.items(), key=lambda an: (an[0] in (NO_AGENCY, OTHER_AGENCY), -an[1], an[0]))
        ][:TOP],
        "feedback": {r: [int(u), int(x)] for r, u, x in feedback},
        "handoffs": [int(handoffs[0]), int(handoffs[1])],
        "unanswered": unanswered,
        "weeks": {w: [int(v) for v in values] for w, values in sorted(weeks.items())},
    }


def report_counts(report: DemandReport) -> dict[str, Any]:
    """The same figures as ``sql_counts``, read off the report."""
    return {
        "conversations": report.conversations,
        "questions": report.questions,
        "topic_region": {f"{t}|{r}": n for (t, r), n in report.topic_region.items()},
        "cited_top": [[r, n] for r, n in report.cited],
        "agencies_top": [[a, n] for a, n in report.agencies],
        "feedback": {f.ref: [f.useful, f.useless] for f in report.feedback},
        "handoffs": [report.handoffs.total, report.handoffs.handled],
        "unanswered": report.unanswered,
        "weeks": {
            w.start.isoformat(): [w.conversations, w.questions, w.unanswered, w.handoffs, w.useful, w.useless]
            for w in report.weeks
        },
    }


def known_agencies(settings: Settings) -> tuple[list[str], set[str], Gazetteer]:
    kb = open_knowledge_base(settings)
    names = {a.name for c in kb.snapshot.clauses for a in c.agencies} | {k.label for k in KINDS_BY_ID.values()}
    return sorted(load_needs(settings.needs_file)), names, kb.gazetteer  # the intents counted as questions


def main() -> None:
    parser = argparse.ArgumentParser(description="demand report on synthetic records")
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=None, help="keep the generated databases here")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="use the databases already in --out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        out = args.out or Path(scratch)
        if args.reuse and args.out and (out / "tracker.sqlite3").is_file():
            generated = json.loads((out / "generated.json").read_text(encoding="utf-8"))
        else:
            generated = generate(out, args.conversations)
            (out / "generated.json").write_text(json.dumps(generated), encoding="utf-8")
        settings = Settings(database_url=generated["records_url"])
        kb = open_knowledge_base(settings)
        tokenizer = ChineseTokenizer(settings.dict_dir)
        tokenizer.cut("预热")  # jieba's dictionary load (~1 s) is start-up, not report time
        seconds: list[float] = []
        for _ in range(args.runs):
            started = time.perf_counter()
            report = demand_report(generated["records_url"], generated["tracker_url"], kb, tokenizer)
            markdown(report), csv_text(report), charts(report)
            seconds.append(time.perf_counter() - started)
        topics, names, gazetteer = known_agencies(settings)
        started = time.perf_counter()
        expected = sql_counts(generated["records_url"], generated["tracker_url"], topics, names, gazetteer)
        sql_seconds = time.perf_counter() - started
        found = report_counts(report)
        mismatched = [key for key in expected if expected[key] != found[key]]
        size_mb = sum(p.stat().st_size for p in out.glob("*.sqlite3")) / 1e6
    summary = {
        **{k: v for k, v in generated.items() if not k.endswith("_url")},
        "database_mb": round(size_mb, 1),
        "report_seconds": [round(s, 2) for s in seconds],
        "report_seconds_median": round(statistics.median(seconds), 2),
        "sql_check_seconds": round(sql_seconds, 1),
        "figures_checked": len(expected),
        "load_average_1min": round(os.getloadavg()[0], 2),  # the 2 cores are shared; figures move with it
        "mismatched": mismatched,
        "questions": found["questions"],
        "weeks": len(found["weeks"]),
    }
    row = {
        "conversations": summary["conversations"],
        "events": summary["events"],
        "questions": summary["questions"],
        "weeks": summary["weeks"],
        "report build (median of runs)": f"{summary['report_seconds_median']} s",
        "figures equal to SQL": "all" if not mismatched else f"MISMATCH {mismatched}",
    }
    note = (
        "\nReport build = read both databases (read-only) + compute + Markdown + CSV + SVG charts, knowledge base "
        "already open, jieba loaded. Budget: 5 s. Figures compared with direct SQL: conversations, questions, "
        "topic × region, 20 most cited clauses, most sought agencies, feedback per clause, handoffs, unanswered, "
        "every week.\n"
    )
    write_report("report", "Demand report on synthetic records", summary, markdown_table(row) + note)
    print(markdown_table(row))
    if mismatched or statistics.median(seconds) > 5.0:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
