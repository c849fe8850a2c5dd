"""The review inbox on a real SQLite file: what is stored (masked), the filters and order, what a reviewer's
confirmation, correction, discard and undo do, and the training file they make."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.answers.needs import load_needs
from bot.kb.db import make_engine
from bot.kb.query import KnowledgeBase
from bot.review import inbox
from bot.review.export import training_yaml, validation_questions, write_reviewed
from bot.review.inbox import InboxQuery, Incoming, ReviewError, Vocabulary
from bot.settings import Settings
from bot.store.models import ReviewedExample, ReviewItem, utcnow
from bot.store.records import ensure_tables
from bot.store.staff import StaffAudit


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def vocabulary(kb: KnowledgeBase) -> Vocabulary:
    return Vocabulary.of(kb, load_needs(Settings().needs_file))


def message(conversation: str, text: str, confidence: float, kind: str = "answer", **reading: str) -> Incoming:
    return Incoming(
        conversation_id=conversation,
        text=text,
        intent=reading.get("intent", "report_infringement"),
        confidence=confidence,
        side=reading.get("side"),
        region=reading.get("region"),
        subject=reading.get("subject"),
        reply_kind=kind,
        reply_text=reading.get("reply", "可向市场监管部门举报"),
        refs=("yunnan/10",),
    )


def test_a_message_is_stored_masked_with_its_channel_and_reading(engine: Engine) -> None:
    item_id = inbox.record(
        engine, message("wechat-oAbc", "淘宝卖假货怎么举报，我电话13812345678", 0.62, region="云南省")
    )
    rows, total = inbox.page(engine, InboxQuery())
    assert total == 1 and rows[0].id == item_id
    assert rows[0].text == "淘宝卖假货怎么举报,我电话【手机号】"
    assert (rows[0].channel, rows[0].intent, rows[0].region, rows[0].confidence) == (
        "wechat",
        "report_infringement",
        "云南省",
        0.62,
    )
    with Session(engine) as session:  # the phone number is nowhere in the table
        assert not any("13812345678" in str(v) for row in session.execute(select(ReviewItem)).all() for v in row)


def test_the_least_confident_come_first_and_the_filters_select(engine: Engine) -> None:
    inbox.record(engine, message("web-a", "有没有知识产权保险", 0.9, intent="seek_support"))
    inbox.record(engine, message("dingtalk-b", "字体侵权怎么判断", 0.3, kind="limit", intent="judge_infringement"))
    inbox.record(engine, message("web-c", "展会上被仿了找谁", 0.55))
    inbox.mark_negative(engine, "web-c")
    assert [r.text for r in inbox.page(engine, InboxQuery())[0]] == [
        "字体侵权怎么判断",
        "展会上被仿了找谁",
        "有没有知识产权保险",
    ]
    assert next(r.text for r in inbox.page(engine, InboxQuery(order="newest"))[0]) == "展会上被仿了找谁"
    assert [r.channel for r in inbox.page(engine, InboxQuery(channel="dingtalk"))[0]] == ["dingtalk"]
    assert [r.text for r in inbox.page(engine, InboxQuery(unanswered=True))[0]] == ["字体侵权怎么判断"]
    assert [r.text for r in inbox.page(engine, InboxQuery(negative=True))[0]] == ["展会上被仿了找谁"]
    assert inbox.page(engine, InboxQuery(max_confidence=0.6))[1] == 2
    assert [r.text for r in inbox.page(engine, InboxQuery(containing="保险"))[0]] == ["有没有知识产权保险"]
    assert inbox.page(engine, InboxQuery(containing="%"))[1] == 0  # a LIKE wildcard is a character here
    with Session(engine) as session, session.begin():
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.conversation_id == "web-a")
            .values(created_at=utcnow() - timedelta(days=3))
        )
    today = utcnow().date()
    assert inbox.page(engine, InboxQuery(since=today))[1] == 2
    assert inbox.page(engine, InboxQuery(until=today - timedelta(days=1)))[1] == 1


def test_confirm_correct_discard_and_undo(engine: Engine, vocabulary: Vocabulary) -> None:
    kept = inbox.record(engine, message("web-a", "昆明有没有知识产权保险", 0.8, intent="seek_support", region="云南省"))
    wrong = inbox.record(engine, message("wecom-b", "被人告了商标侵权怎么办", 0.4, intent="report_infringement"))
    noise = inbox.record(engine, message("web-c", "哈哈哈", 0.2, intent="ask_law"))
    assert kept and wrong and noise
    first = inbox.confirm(engine, kept, "reviewer", vocabulary, {})
    second = inbox.confirm(engine, wrong, "reviewer", vocabulary, {"intent": "respond_accusation", "side": "accused"})
    inbox.discard(engine, noise, "reviewer")
    with pytest.raises(ReviewError):
        inbox.discard(engine, noise, "reviewer")  # once only
    with pytest.raises(ReviewError):
        inbox.confirm(engine, kept, "reviewer", vocabulary, {})
    made = {e.id: e for e in inbox.examples(engine)}
    assert (made[first].intent, made[first].region, made[first].corrected) == ("seek_support", "云南省", False)
    assert (made[second].intent, made[second].side, made[second].corrected) == ("respond_accusation", "accused", True)
    assert made[second].channel == "wecom" and not hasattr(made[second], "conversation_id")
    assert inbox.page(engine, InboxQuery())[1] == 0
    with Session(engine) as session:
        actions = session.scalars(select(StaffAudit.action).order_by(StaffAudit.id)).all()
    assert actions == ["review_confirm", "review_correct", "review_discard"]
    assert inbox.undo(engine, second, "reviewer") and not inbox.undo(engine, second, "reviewer")
    assert [e.id for e in inbox.examples(engine)] == [first]
    assert [r.id for r in inbox.page(engine, InboxQuery())[0]] == [wrong]  # back in the inbox


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        ({"intent": "make_coffee"}, "需求"),
        ({"side": "judge"}, "提问方"),
        ({"region": "火星"}, "地区"),
        ({"subject": "<script>"}, "主题"),
    ],
)
def test_a_label_the_assistant_does_not_know_is_refused(
    engine: Engine, vocabulary: Vocabulary, body: dict[str, str], message_part: str
) -> None:
    item = inbox.record(engine, message("web-a", "有没有知识产权保险", 0.8))
    assert item
    with pytest.raises(ReviewError, match=message_part):
        inbox.confirm(engine, item, "reviewer", vocabulary, body)
    assert inbox.examples(engine) == []


def test_a_name_marked_by_the_reviewer_leaves_the_message_and_the_reply(engine: Engine) -> None:
    item = inbox.record(engine, message("web-a", "我是王小明，王小明的店被仿了", 0.7, reply="王小明您好"))
    assert item
    assert inbox.mask_more(engine, item, "reviewer", "王小明", "name") == "我是【姓名】,【姓名】的店被仿了"
    row = inbox.page(engine, InboxQuery())[0][0]
    assert "王小明" not in row.text + row.reply_text
    with Session(engine) as session:
        assert "王小明" not in str(session.scalars(select(StaffAudit.detail)).all())
    with pytest.raises(ReviewError):
        inbox.mask_more(engine, item, "reviewer", "李四", "name")  # not in the message


def test_the_training_file_holds_exactly_the_confirmed_examples(
    engine: Engine, vocabulary: Vocabulary, kb: KnowledgeBase, tmp_path: Path
) -> None:
    texts = ["昆明有没有知识产权保险", "被人告了[商标](x)侵权怎么办", "随便问问"]
    ids = [
        inbox.record(engine, message(f"web-{n}", t, 0.5, intent="seek_support", region="云南省"))
        for n, t in enumerate(texts)
    ]
    inbox.confirm(engine, ids[0], "r", vocabulary, {})
    inbox.confirm(engine, ids[1], "r", vocabulary, {"intent": "respond_accusation", "side": "accused", "region": None})
    inbox.discard(engine, ids[2], "r")
    path = tmp_path / "reviewed.yml"
    done = write_reviewed(engine, path, kb.gazetteer)
    assert (done.written, done.held_back) == (2, 0)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    blocks = {(b["intent"], (b.get("metadata") or {}).get("side")): b["examples"].splitlines() for b in data["nlu"]}
    assert blocks == {
        ("seek_support", None): ["- [昆明](region)有没有知识产权保险"],
        ("respond_accusation", "accused"): ["- 被人告了［商标］(x)侵权怎么办"],  # no annotation smuggled in
    }
    for example in inbox.examples(engine):
        inbox.undo(engine, example.id, "r")
    assert write_reviewed(engine, path, kb.gazetteer).written == 0 and not path.exists()


def test_a_validation_question_is_held_back(engine: Engine, vocabulary: Vocabulary, tmp_path: Path) -> None:
    """A user who types a question of a validation set must not put it into the training data."""
    question = validation_questions()[0]
    item = inbox.record(engine, message("web-a", question, 0.5, intent="seek_support"))
    assert item
    inbox.confirm(engine, item, "r", vocabulary, {})
    done = write_reviewed(engine, tmp_path / "reviewed.yml")
    assert (done.written, done.held_back) == (0, 1)


def test_examples_are_one_line_each_whatever_they_hold() -> None:
    example = ReviewedExample(text="第一行\n- 第二行: {x}", intent="ask_law", side=None, region=None, subject=None)
    data = yaml.safe_load(training_yaml([example]))
    assert data["nlu"][0]["examples"] == "- 第一行 - 第二行: ｛x｝\n"
