"""rasa_plugins (code that runs inside the Rasa server) against Rasa's own classes, and in the running stack."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from tests.e2e.conftest import Chat
from tests.e2e.test_gateway_stack import new_conversation, web_chat

PROJECT = Path(__file__).resolve().parents[2]


def test_the_plugins_behave_as_rasas_own_code(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(PROJECT / ".venv-rasa/bin/python"), "-m", "tests.rasa_env.plugins_check", str(tmp_path)],
        cwd=PROJECT,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert result.stdout.count(": ok") == 7, result.stdout  # one line per check of plugins_check


def test_the_running_rasa_keeps_its_sqlite_tracker_in_wal_mode(chat: Chat) -> None:
    """The stack's Rasa uses LeanSQLTrackerStore (Rasa silently falls back to an in-memory store when a custom
    store cannot be imported): its file is in WAL mode and holds the conversation."""
    conversation = new_conversation(chat)
    status, _ = web_chat(chat, conversation, "贵州企业海外维权找谁")
    assert status == 200
    path = chat.tracker_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (f"web-{conversation}",))
        assert rows.fetchone()[0] >= 5
