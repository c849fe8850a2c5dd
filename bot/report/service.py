"""Build the demand report from two database URLs and the knowledge base (labels, agency names, tokenizer)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.answers.needs import load_needs
from bot.kb.agencies import KINDS_BY_ID
from bot.kb.errors import QueryError
from bot.kb.query import KnowledgeBase
from bot.report.demand import BEIJING, DemandReport, compute
from bot.report.sources import read_only_engine, read_store, read_tracker
from bot.review.retrain import Workspace
from bot.review.retrain_report import read_history
from bot.settings import Settings
from bot.text import STOPWORDS, ChineseTokenizer


def demand_report(
    records_url: str,
    tracker_url: str,
    kb: KnowledgeBase,
    tokenizer: ChineseTokenizer,
    since: date | None = None,
    needs_file: Path | None = None,
    retrain_history: Path | None = None,
) -> DemandReport:
    """Read (never write) both databases and compute the report; ``since`` is a Beijing-time date. Questions are
    counted by need (data/needs.yml); handoff cases by the topic their conversation was about."""
    start = datetime(since.year, since.month, since.day) - BEIJING if since else None
    records, tracker = read_only_engine(records_url), read_only_engine(tracker_url)
    try:
        store_data = read_store(records, start)
        tracker_data = read_tracker(tracker, start, lambda name: _province(kb, name))
    finally:
        records.dispose()
        tracker.dispose()
    known = {a.name for c in kb.snapshot.clauses for a in c.agencies} | {k.label for k in KINDS_BY_ID.values()}
    return compute(
        tracker_data,
        store_data,
        {need.id: need.label for need in load_needs(needs_file or Settings().needs_file).values()},
        lambda text: [word for word in tokenizer.cut(text) if word not in STOPWORDS],
        known,
        lambda ref: _label(kb, ref),
        since,
        case_topic_names={topic.id: topic.name for topic in kb.topics.values()},
        retrains=read_history(retrain_history or Workspace().history),
    )


def _province(kb: KnowledgeBase, name: str) -> str | None:
    """A region entity (贵州, 遵义, 浙江) as its provincial-level division (贵州省, 浙江省), as the region slot holds it."""
    mention = kb.gazetteer.resolve(name)
    return mention.division.name if mention else None


def _label(kb: KnowledgeBase, ref: str) -> str | None:
    try:
        item = kb.by_ref(ref)
    except QueryError:
        return None
    version = "" if item.document.in_force else f"（第{item.document.version}版）"
    return f"{item.document.region}{version} {item.label}"
