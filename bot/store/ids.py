"""Record ids that are never reused (issue 20 N3), also in SQLite databases created before they were.

A case's number is derived from its row id, and the staff audit trail refers to records by id. SQLite without
``AUTOINCREMENT`` hands the largest id out again once that row is deleted: after ``python -m bot.store delete
--case IPR…-00017`` the next 转人工 was IPR…-00017 again, and showed the deleted case's audit rows. New tables are
created with ``AUTOINCREMENT`` (``models.NEVER_REUSED``); ``upgrade`` rebuilds an older table the same way,
keeping every row and id, and starts its sequence after the largest id it ever had (its rows' and the audit
trail's). PostgreSQL's sequences never go back, so there is nothing to do there.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, Table, func, select, text

from bot.store.models import StoreBase
from bot.store.staff import StaffAudit

log = logging.getLogger(__name__)

AUDIT_KINDS = {
    "handoff_cases": "cases",
    "feedback": "feedback",
    "unanswered_questions": "unanswered",
    "review_inbox": "review",
}


def upgrade(engine: Engine) -> None:
    """Rebuild every record table of a SQLite database that lacks ``AUTOINCREMENT``; a no-op everywhere else."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would run the DDL outside a transaction
        for name in AUDIT_KINDS:
            table = StoreBase.metadata.tables[name]
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": name}
            ).scalar()
            if sql is not None and "AUTOINCREMENT" not in sql.upper():
                _rebuild(connection, table)


def _rebuild(connection: Connection, table: Table) -> None:
    old = f"{table.name}__before_autoincrement"
    indexes = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"),
        {"t": table.name},
    ).scalars()
    for index in list(indexes):
        connection.exec_driver_sql(f'DROP INDEX "{index}"')
    connection.exec_driver_sql(f'ALTER TABLE "{table.name}" RENAME TO "{old}"')
    table.create(connection)
    present = {row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{old}")')}
    columns = ", ".join(f'"{c.name}"' for c in table.columns if c.name in present)
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{old}"')
    connection.exec_driver_sql(f'DROP TABLE "{old}"')
    audited = select(func.max(StaffAudit.record_id)).where(StaffAudit.record_kind == AUDIT_KINDS[table.name])
    highest = max(
        connection.execute(select(func.max(table.c.id))).scalar() or 0,
        connection.execute(audited).scalar() or 0,
    )
    connection.execute(text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table.name})
    connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :n)"), {"t": table.name, "n": highest})
    log.info("rebuilt %s with AUTOINCREMENT (ids continue after %d)", table.name, highest)
