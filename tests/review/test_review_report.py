"""The demand report says what the review loop did: messages confirmed, corrected and discarded, which readings
were corrected to what, and each retrain with its candidate's scores (var/retrain/history.jsonl)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.answers.needs import load_needs
from bot.kb.db import make_engine
from bot.kb.query import KnowledgeBase
from bot.report.render import markdown
from bot.report.service import demand_report
from bot.review import inbox
from bot.review.inbox import Incoming, Vocabulary
from bot.settings import Settings
from bot.store.records import ensure_tables
from bot.text import ChineseTokenizer


def test_the_report_counts_reviews_corrections_and_retrains(kb: KnowledgeBase, tmp_path: Path) -> None:
    records_url, tracker_url = f"sqlite:///{tmp_path / 'records.sqlite3'}", f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    sqlite3.connect(tmp_path / "tracker.sqlite3").close()  # a tracker store Rasa has not written to yet
    engine = make_engine(records_url)
    ensure_tables(engine)
    vocabulary = Vocabulary.of(kb, load_needs(Settings().needs_file))

    def message(text: str, intent: str) -> int:
        made = inbox.record(engine, Incoming("web-x", text, intent, 0.4, None, None, None, "answer", "…"))
        assert made
        return made

    inbox.confirm(engine, message("有没有知识产权保险", "seek_support"), "r", vocabulary, {})
    for text in ("被人告了怎么办", "被投诉侵权了怎么申诉"):
        inbox.confirm(engine, message(text, "report_infringement"), "r", vocabulary, {"intent": "respond_accusation"})
    inbox.confirm(engine, message("今天吃什么", "ask_law"), "r", vocabulary, {"intent": "out_of_scope"})
    inbox.discard(engine, message("哈哈", "ask_law"), "r")
    engine.dispose()
    history = tmp_path / "history.jsonl"
    lines = [
        {
            "date": "2026-12-01T08:00:00+00:00",
            "decision": "refused",
            "candidate": "ipr-aaaa.tar.gz",
            "after": {"nlu.intent_macro_f1": 0.8, "questions.answer_hit_at_3": 0.769},
        },
        {
            "date": "2026-12-02T08:00:00+00:00",
            "decision": "accepted",
            "candidate": "ipr-bbbb.tar.gz",
            "after": {"nlu.intent_macro_f1": 0.862, "questions.answer_hit_at_3": 0.923},
        },
    ]
    history.write_text("\n".join(json.dumps(line) for line in lines) + "\n{torn", encoding="utf-8")

    report = demand_report(records_url, tracker_url, kb, ChineseTokenizer(Settings().dict_dir), retrain_history=history)
    review = report.review
    assert (review.reviewed, review.confirmed, review.corrected, review.discarded) == (5, 1, 3, 1)
    assert review.corrections == (
        ("去哪里投诉举报", "被投诉或被起诉后怎么应对", 2),
        (load_needs(Settings().needs_file)["ask_law"].label, "与知识产权无关", 1),
    )
    text = markdown(report)
    assert "审核消息 5 条：确认 1，更正 3，丢弃 1。" in text
    assert "| 去哪里投诉举报 | 被投诉或被起诉后怎么应对 | 2 |" in text
    assert "| 2026-12-01 | 未采用 | ipr-aaaa.tar.gz | 0.800 | — | 0.769 | — |" in text
    assert "| 2026-12-02 | 采用 | ipr-bbbb.tar.gz | 0.862 | — | 0.923 | — |" in text
    assert "今天吃什么" not in text and "哈哈" not in text  # counts only: no message reaches the report
