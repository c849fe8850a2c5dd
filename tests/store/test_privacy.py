"""Retention and deletion on request count exactly what they delete (records here; Rasa's real tracker store in
tests/e2e/test_security_privacy.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from bot.kb.db import make_engine
from bot.review.inbox import Incoming, record
from bot.store.models import Feedback, HandoffCase, ReviewItem, UnansweredQuestion, utcnow
from bot.store.privacy import conversation_of_case, delete_conversation, purge
from bot.store.records import ensure_tables, open_case, record_feedback, record_unanswered


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (HandoffCase, Feedback, UnansweredQuestion, ReviewItem)
        }


def fill(engine: Engine, conversation: str) -> str:
    receipt = open_case(engine, conversation, ["转人工"], None, None)
    record_feedback(engine, conversation, False, [], "答非所问")
    record_unanswered(engine, conversation, "驰名商标", None, [])
    record(engine, Incoming(conversation, "驰名商标怎么认定", "ask_procedure", 0.8, None, None, None, "limit", "…"))
    return receipt.case_number


def test_purge_deletes_what_is_older_than_the_retention_period(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(engine)
    fill(engine, "web-old")
    fill(engine, "wechat-oOld")
    fill(engine, "web-new")
    with Session(engine) as session, session.begin():
        for model in (HandoffCase, Feedback, UnansweredQuestion, ReviewItem):
            old = model.conversation_id.in_(["web-old", "wechat-oOld"])
            session.execute(update(model).where(old).values(created_at=utcnow() - timedelta(days=181)))
    deleted = purge(engine, None, 180)
    assert {k: deleted[k] for k in ("handoff_cases", "feedback", "unanswered_questions", "review_inbox")} == {
        "handoff_cases": 2,
        "feedback": 2,
        "unanswered_questions": 2,
        "review_inbox": 2,
    }
    assert counts(engine) == {"handoff_cases": 1, "feedback": 1, "unanswered_questions": 1, "review_inbox": 1}
    assert purge(engine, None, 180)["handoff_cases"] == 0  # nothing left to purge
    engine.dispose()


def test_one_users_data_is_deleted_by_conversation_or_case(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(engine)
    case_number = fill(engine, "web-asker")
    fill(engine, "web-other")
    assert conversation_of_case(engine, case_number.lower()) == "web-asker"
    assert conversation_of_case(engine, "IPR19990101-99999") is None
    deleted = delete_conversation(engine, None, "web-asker")
    assert deleted == {
        "staff_audit": 0,
        "handoff_cases": 1,
        "feedback": 1,
        "unanswered_questions": 1,
        "review_inbox": 1,
    }
    assert counts(engine) == {"handoff_cases": 1, "feedback": 1, "unanswered_questions": 1, "review_inbox": 1}
    engine.dispose()


def test_deleting_a_conversation_clears_the_gateways_redis_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 20 N7: ``delete`` left the user's state in Redis (pending parts, options; TTL 86,000 s)."""
    import redis

    from bot.store.__main__ import main
    from tests.support.redis import temporary_redis

    database = tmp_path / "records.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    ensure_tables(engine)
    case_number = fill(engine, "dingtalk-manager4220")
    engine.dispose()
    with temporary_redis() as port:
        client = redis.Redis(port=port)
        client.set("ipr:dingtalk:user:dingtalk-manager4220", '{"pending": ["第二部分：……"]}', ex=86400)
        client.set("ipr:wechat:user:oVictim", '{"pending": ["……"]}', ex=86400)
        client.set("ipr:dingtalk:user:dingtalk-someone-else", "{}", ex=86400)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
        monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
        assert main(["delete", "--case", case_number]) == 0
        assert "redis_user_state\t1" in capsys.readouterr().out
        assert main(["delete", "--conversation", "wechat-oVictim"]) == 0
        assert sorted(client.keys("*")) == [b"ipr:dingtalk:user:dingtalk-someone-else"]
        client.close()
