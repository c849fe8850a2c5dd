"""The demand report on a generated record set (2,000 conversations over six months): every figure equals a direct
SQL count, no personal data reaches any output, ``--since`` cuts the period, and the databases are only read."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bench.report_bench import known_agencies, report_counts, sql_counts
from bench.synthetic_records import generate
from bot.__main__ import main as bot_main
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.report.demand import DemandReport
from bot.report.render import csv_text, markdown
from bot.report.service import demand_report
from bot.report.svg import charts
from bot.settings import Settings
from bot.text import ChineseTokenizer


@dataclass(frozen=True)
class Records:
    root: Path
    records_url: str
    tracker_url: str
    kb: KnowledgeBase
    tokenizer: ChineseTokenizer

    def report(self, since: date | None = None) -> DemandReport:
        return demand_report(self.records_url, self.tracker_url, self.kb, self.tokenizer, since)

    def files(self) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(self.root.glob("*.sqlite3"))}


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Records:
    root = tmp_path_factory.mktemp("records")
    made = generate(root, 2_000)
    settings = Settings(database_url=made["records_url"])
    return Records(
        root,
        made["records_url"],
        made["tracker_url"],
        open_knowledge_base(settings),
        ChineseTokenizer(settings.dict_dir),
    )


def test_every_figure_equals_a_direct_sql_count(records: Records) -> None:
    report = records.report()
    topics, names, gazetteer = known_agencies(Settings(database_url=records.records_url))
    expected = sql_counts(records.records_url, records.tracker_url, topics, names, gazetteer)
    found = report_counts(report)
    assert found.keys() == expected.keys()
    for key in expected:
        assert found[key] == expected[key], key
    assert report.conversations == 2_000
    assert len(report.weeks) >= 26  # six months
    assert sum(found["topic_region"].values()) == report.questions > 2_000


def test_figures_a_reader_can_check_by_eye(records: Records) -> None:
    report = records.report()
    text = markdown(report)
    assert "| 诉求 | 贵州省 | 云南省 | 广西壮族自治区 | 山西省 | 西藏自治区 |" in text
    # Questions about regions without a plan count for those regions (浙江 and 杭州 both for 浙江省).
    assert {"浙江省", "广东省", "四川省"} <= set(report.regions) and report.regions[-1] == "未指明地区"
    top_topic = report.topics[0]
    total = sum(n for (t, _), n in report.topic_region.items() if t == top_topic)
    columns = len(report.regions)
    assert re.search(rf"\n\| {report.topic_name(top_topic)} \|( \d+ \|){{{columns}}} {total} \|\n", text)
    top_ref, top_count = report.cited[0]
    assert f"| {report.ref_label(top_ref)}（{top_ref}） | {top_count} |" in text
    assert records.kb.by_ref(top_ref).label in report.ref_label(top_ref)
    # The records keep an audit trail (bot.store.staff), but these cases were closed without one: said, not invented.
    assert "处理用时：已处理的案件没有工作人员操作记录" in text


def test_no_personal_data_reaches_any_output(records: Records) -> None:
    report = records.report()
    outputs = [markdown(report), csv_text(report), *charts(report).values()]
    with sqlite3.connect(records.root / "records.sqlite3") as connection:
        texts = [row[0] for row in connection.execute("select text from unanswered_questions")]
        senders = [row[0] for row in connection.execute("select conversation_id from unanswered_questions")]
    personal = [t for t in texts if "电话" in t or "联系人" in t]
    assert len(personal) > 20
    secrets = set()
    for t in personal:
        secrets.update(re.findall(r"1\d{10}", t))
        secrets.update(re.findall(r"(?:我叫|联系人)(\w{3})", t))
        secrets.update(re.findall(r"(\w{4})科技有限公司", t))
    assert len(secrets) > 40
    for output in outputs:
        assert not [s for s in secrets if s in output]
        assert not re.search(r"1[3589]\d{9}", output)
        assert not [s for s in senders[:200] if s in output]


def test_since_keeps_only_the_later_records(records: Records) -> None:
    whole, later = records.report(), records.report(date(2026, 10, 1))
    assert later.since == date(2026, 10, 1) and later.first_day is not None and later.first_day >= date(2026, 10, 1)
    assert 0 < later.questions < whole.questions
    assert later.weeks[0].start >= date(2026, 9, 28)
    assert [w for w in whole.weeks if w.start >= date(2026, 10, 5)] == [
        w for w in later.weeks if w.start >= date(2026, 10, 5)
    ]


def test_the_report_only_reads(records: Records) -> None:
    before = records.files()
    records.report()
    assert records.files() == before


def test_time_to_close_when_the_records_keep_it(records: Records, tmp_path: Path) -> None:
    """Once ``handoff_cases`` has a ``handled_at`` column the report gives median and p90 hours."""
    for name in ("records.sqlite3", "tracker.sqlite3"):
        shutil.copy(records.root / name, tmp_path / name)
    with sqlite3.connect(tmp_path / "records.sqlite3") as connection:
        connection.execute("alter table handoff_cases add column handled_at datetime")
        connection.execute(
            "update handoff_cases set handled_at = datetime(created_at, '+' || (id % 10 + 1) || ' hours') where handled"
        )
    report = demand_report(
        f"sqlite:///{tmp_path / 'records.sqlite3'}",
        f"sqlite:///{tmp_path / 'tracker.sqlite3'}",
        records.kb,
        records.tokenizer,
    )
    assert report.handoffs.closing_time_recorded and report.handoffs.median_hours is not None
    assert 1 <= report.handoffs.median_hours <= report.handoffs.p90_hours <= 10  # type: ignore[operator]


def test_time_to_close_from_the_staff_audit_trail(records: Records, tmp_path: Path) -> None:
    """Where cases are marked handled through the console, its audit trail (``staff_audit``) dates the closing."""
    for name in ("records.sqlite3", "tracker.sqlite3"):
        shutil.copy(records.root / name, tmp_path / name)
    with sqlite3.connect(tmp_path / "records.sqlite3") as connection:
        connection.execute(
            "create table if not exists staff_audit (id integer primary key, at datetime, account_name varchar(64),"
            " action varchar(30), record_kind varchar(30), record_id integer)"
        )
        connection.execute(  # two hours for every handled case; a later second click does not count
            "insert into staff_audit (at, account_name, action, record_kind, record_id)"
            " select datetime(created_at, '+2 hours'), 'staff', 'handled', 'cases', id from handoff_cases where handled"
            " union all select datetime(created_at, '+9 hours'), 'staff', 'handled', 'cases', id from handoff_cases"
            " where handled union all select datetime(created_at, '+1 hours'), 'staff', 'handled', 'feedback', id"
            " from handoff_cases"
        )
    report = demand_report(
        f"sqlite:///{tmp_path / 'records.sqlite3'}",
        f"sqlite:///{tmp_path / 'tracker.sqlite3'}",
        records.kb,
        records.tokenizer,
    )
    assert report.handoffs.median_hours == report.handoffs.p90_hours == 2.0
    assert "从转人工到处理完毕：中位 2.0 小时，90% 在 2.0 小时内。" in markdown(report)


def test_cli_writes_markdown_csv_and_svg(records: Records, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", records.records_url)
    assert bot_main(["report", "--tracker-url", records.tracker_url, "--format", "csv", "--svg", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("section,key,key2,value\n") and "\ntotals,conversations,,2000\n" in out
    for name in ("topic_region", "cited_clauses", "agencies", "trend"):
        svg = ElementTree.parse(tmp_path / f"{name}.svg").getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert not svg.findall(".//{http://www.w3.org/2000/svg}script")


def test_cli_bad_input_is_a_chinese_message(records: Records, capsys, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", records.records_url)
    with pytest.raises(SystemExit) as exit_info:
        bot_main(["report", "--since", "2026-13-01"])
    assert exit_info.value.code == 2 and "日期“2026-13-01”无效" in capsys.readouterr().err
    assert bot_main(["report", "--tracker-url", f"sqlite:///{tmp_path / 'nowhere' / 'x.sqlite3'}"]) == 2
    assert "无法读取记录库或对话库" in capsys.readouterr().err


@pytest.mark.postgres
def test_the_same_figures_from_postgresql(records: Records) -> None:
    """Rasa's tracker store and the records on PostgreSQL (JSON read by the database, read-only transaction)."""
    from sqlalchemy import insert, select

    from bot.kb.db import make_engine
    from bot.report.sources import EVENTS, TRACKER_METADATA
    from bot.store.models import StoreBase
    from tests.support.postgres import temporary_postgres

    with temporary_postgres() as url:
        source_tracker, source_records, target = (
            make_engine(records.tracker_url),
            make_engine(records.records_url),
            make_engine(url),
        )
        TRACKER_METADATA.create_all(target)
        StoreBase.metadata.create_all(target)
        with target.begin() as out:
            with source_tracker.connect() as source:
                out.execute(insert(EVENTS), [dict(r._mapping) for r in source.execute(select(EVENTS))])
            with source_records.connect() as source:
                for table in StoreBase.metadata.sorted_tables:
                    rows = [dict(r._mapping) for r in source.execute(select(table))]
                    if rows:
                        out.execute(insert(table), rows)
        for engine in (source_tracker, source_records, target):
            engine.dispose()
        on_postgres = demand_report(url, url, records.kb, records.tokenizer)
    assert report_counts(on_postgres) == report_counts(records.report())
    assert markdown(on_postgres) == markdown(records.report())


def test_the_cache_serves_a_ready_report_and_refreshes_an_old_one_behind_the_scenes(records: Records) -> None:
    import functools
    import time

    from bot.report.cache import ReportCache

    now = [1000.0]
    cache = ReportCache(
        functools.partial(demand_report, records.records_url, records.tracker_url, records.kb, records.tokenizer),
        max_age=60.0,
        clock=lambda: now[0],
    )
    first = cache.get()
    assert first.report.conversations == 2_000
    started = time.perf_counter()
    assert cache.get() is first and time.perf_counter() - started < 0.01  # served, not rebuilt
    now[0] += 61.0
    assert cache.get() is first  # stale: still served at once, a rebuild starts in the background
    deadline = time.monotonic() + 30
    while cache.get() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    refreshed = cache.get()
    assert refreshed is not first and refreshed.built_at == now[0]
    assert report_counts(refreshed.report) == report_counts(first.report)


def test_the_gateways_session_starts_are_not_counted_as_questions(tmp_path: Path) -> None:
    """The gateway starts a new Rasa session every few dozen messages by sending "/session_start": Rasa logs it as
    a user event with the built-in ``session_start`` intent, which no person typed."""
    from sqlalchemy import create_engine, insert

    from bot.report.sources import EVENTS, TRACKER_METADATA, read_tracker

    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    TRACKER_METADATA.create_all(engine)

    def user(at: float, text: str, intent: str | None) -> dict[str, object]:
        data = {"event": "user", "timestamp": at, "text": text, "parse_data": {"intent": {"name": intent}}}
        return {
            "sender_id": "c1",
            "type_name": "user",
            "timestamp": at,
            "intent_name": intent,
            "data": json.dumps(data),
        }

    with engine.begin() as connection:
        connection.execute(
            insert(EVENTS),
            [
                user(1_700_000_000, "贵州企业海外维权找谁", "overseas_assistance"),
                user(1_700_000_010, "/session_start", "session_start"),
                user(1_700_000_020, "那西藏呢？", None),
            ],
        )
    turns = read_tracker(engine, since=None).turns
    assert [turn.intent for turn in turns] == ["overseas_assistance", None]


def test_charts_name_regions_whole_and_say_when_there_is_nothing_to_draw(records: Records) -> None:
    from bot.report.svg import bars, heatmap, trend

    drawn = heatmap(records.report())
    assert ">广西<" in drawn and ">山西<" in drawn and ">西藏<" in drawn  # short and whole, never cut
    assert "广西壮族自<" not in drawn and "广西壮族自治区" in drawn  # the full name stays in the cell's tooltip
    assert "暂无数据" in bars("被引用最多的条款", []) and "暂无数据" in trend(())
    assert "暂无数据" not in drawn and "暂无数据" not in trend(records.report().weeks)
