"""Issue 20 N3: case numbers are never reused. SQLite handed the largest id out again once its row was deleted:
after ``delete --case IPR…-00017`` the next 转人工 was IPR…-00017 again and showed the deleted case's audit row
("wang 答复"). New tables have AUTOINCREMENT, older ones are rebuilt with every row kept, and a deleted record's
audit rows go with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.kb.db import make_engine
from bot.store.privacy import conversation_of_case, delete_conversation, purge
from bot.store.records import case_history, ensure_tables, find_case, open_case, update_case
from bot.store.staff import StaffAudit


def test_a_deleted_cases_number_and_audit_rows_never_come_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(engine)
    open_case(engine, "web-first-user", ["转人工"], None, None)
    deleted = open_case(engine, "web-second-user", ["转人工"], None, None)
    case = find_case(engine, deleted.case_number)
    assert case is not None
    update_case(engine, case.id, "wang", "reply", "已联系市场监管局")
    assert (
        delete_conversation(engine, None, conversation_of_case(engine, deleted.case_number) or "")["staff_audit"] == 1
    )
    new = open_case(engine, "web-third-user", ["转人工"], None, None)
    assert new.case_number != deleted.case_number and new.case_number.endswith("-00003")
    new_case = find_case(engine, new.case_number)
    assert new_case is not None and case_history(engine, new_case.id) == []  # no "wang 答复" on the new case
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffAudit).where(StaffAudit.record_id == case.id)) == 0
    engine.dispose()


def test_the_purge_takes_a_cases_audit_rows_with_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    ensure_tables(engine)
    receipt = open_case(engine, "web-old-user", ["转人工"], None, None)
    case = find_case(engine, receipt.case_number)
    assert case is not None
    update_case(engine, case.id, "wang", "close")
    with sqlite3.connect(tmp_path / "records.sqlite3") as db:  # the case is old; its closing was yesterday
        db.execute("UPDATE handoff_cases SET created_at = '2020-01-01 00:00:00.000000'")
    deleted = purge(engine, None, 180)
    assert deleted["handoff_cases"] == 1 and deleted["staff_audit"] == 1
    engine.dispose()


def test_an_older_sqlite_database_is_rebuilt_with_its_rows_and_ids_kept(tmp_path: Path) -> None:
    """A database made before: no AUTOINCREMENT, cases 1–3, case 4 already deleted (its audit row is left)."""
    path = tmp_path / "records.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    ensure_tables(engine)
    engine.dispose()
    with sqlite3.connect(path) as db:
        for name in ("handoff_cases", "feedback", "unanswered_questions"):
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            db.execute(f"ALTER TABLE {name} RENAME TO {name}_x")
            db.execute(sql.replace(" AUTOINCREMENT", ""))
            db.execute(f"DROP TABLE {name}_x")
        db.execute("DELETE FROM sqlite_sequence")
        for n in (1, 2, 3):
            db.execute(
                "INSERT INTO handoff_cases (id, case_number, conversation_id, channel, user_messages, created_at,"
                " handled) VALUES (?, ?, ?, 'web', '[\"转人工\"]', '2026-12-01 08:00:00.000000', 0)",
                (n, f"IPR20261201-{n:05d}", f"web-user{n}"),
            )
        db.execute(
            "INSERT INTO staff_audit (at, account_name, action, record_kind, record_id)"
            " VALUES ('2026-12-01 09:00:00.000000', 'wang', 'reply', 'cases', 4)"
        )
        assert (
            "AUTOINCREMENT" not in db.execute("SELECT sql FROM sqlite_master WHERE name='handoff_cases'").fetchone()[0]
        )
    engine = make_engine(f"sqlite:///{path}")
    ensure_tables(engine)
    ensure_tables(engine)  # idempotent
    with sqlite3.connect(path) as db:
        for name in ("handoff_cases", "feedback", "unanswered_questions"):
            assert "AUTOINCREMENT" in db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        assert [r[0] for r in db.execute("SELECT case_number FROM handoff_cases ORDER BY id")] == [
            "IPR20261201-00001",
            "IPR20261201-00002",
            "IPR20261201-00003",
        ]
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "ix_handoff_cases_conversation_id" in indexes
    assert open_case(engine, "web-user9", ["转人工"], None, None).case_number.endswith("-00005")  # after 4
    engine.dispose()
