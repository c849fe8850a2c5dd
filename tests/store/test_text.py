"""Records keep users' text without bidi overrides, zero-width characters or floods of combining marks (NFKC)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.db import make_engine
from bot.store.models import Feedback, HandoffCase, UnansweredQuestion
from bot.store.records import ensure_tables, open_case, record_feedback, record_unanswered
from bot.store.text import clean_for_storage


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("\u202e反向文本", "反向文本"),  # right-to-left override
        ("商\u200b标\u200d被\ufeff抢注", "商标被抢注"),  # zero-width space / joiner, BOM
        ("a\u2066b\u2069c\u200ed", "abcd"),  # isolates, LRM
        ("Z" + "\u0301" * 300 + "algo", "\u0179\u0301algo"),  # combining-mark flood cut to two (Ź + ́)
        ("ệ", "ệ"),  # a real accent survives (NFKC composes it)
        ("ＡＢＣ１２３", "ABC123"),  # full-width folded
        ("第一行\n第二行\t完", "第一行\n第二行\t完"),
        ("海外维权\x00\x07找谁", "海外维权找谁"),
        ("  知识产权  ", "知识产权"),
    ],
)
def test_clean_for_storage(raw: str, stored: str) -> None:
    assert clean_for_storage(raw) == stored


def test_records_are_cleaned_before_storage(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(engine)
    flood = "假" + "\u0336" * 500 + "货\u202e"
    open_case(engine, "web-x", [flood, "转人工"], "贵州\u200b省", None)
    record_feedback(engine, "web-x", False, [], flood)
    record_unanswered(engine, "web-x", flood, None, [])
    with Session(engine) as session:
        case = session.scalars(select(HandoffCase)).one()
        assert case.user_messages == ["假\u0336\u0336货", "转人工"] and case.region == "贵州省"
        assert session.scalars(select(Feedback.user_text)).one() == "假\u0336\u0336货"
        assert session.scalars(select(UnansweredQuestion.text)).one() == "假\u0336\u0336货"
    engine.dispose()


def test_the_transcript_read_from_the_tracker_is_cleaned_as_records_are() -> None:
    """Issue 20 N8: the console's transcript (read from Rasa's tracker store) showed RLO, zero-width characters and
    combining floods that the stored records had cleaned."""
    from bot.store.transcripts import transcript

    typed = "我的商标\u202etxt.exe\u202c被\u200b抢注了" + "e" + "\u0301" * 300 + "ＡＢＣ"
    events = [
        {"event": "user", "text": typed, "parse_data": {"intent": {"name": "trademark"}}},
        {
            "event": "bot",
            "text": "答：\u202e请向省市场监管局咨询，",
            "data": {"buttons": [{"title": "转人工", "payload": "/h"}]},
        },
        {"event": "user", "text": "/h"},
        {"event": "user", "text": "\u200b\u200d"},  # nothing visible: no turn
    ]
    turns = transcript(events)
    assert turns == [
        {"who": "user", "text": clean_for_storage(typed)},
        {"who": "bot", "text": "答：请向省市场监管局咨询，"},  # our punctuation as written
        {"who": "user", "text": "转人工"},
    ]
    assert "\u202e" not in turns[0]["text"] and "\u200b" not in turns[0]["text"] and "ABC" in turns[0]["text"]
    assert turns[0]["text"].count("\u0301") <= 2
