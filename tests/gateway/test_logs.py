"""Issue 20 N4: the access log wrote the decoded path — ``GET /api/clauses/x%0A2026-12-02 … "POST /staff/login"
303`` forged a second log line, and ESC and CR were written raw. Every log line is one line now."""

from __future__ import annotations

import logging
import sys

import pytest
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from bot.gateway.accesslog import OneLineFormatter, PathOnlyAccessLogger
from bot.gateway.app import create_app
from bot.settings import Settings

FORGED = "/api/clauses/x%0A2026-12-02%2008:00:00%20INFO%20aiohttp.access:%20127.0.0.1%20%22POST%20/staff/login%22%20303"


async def test_a_path_cannot_forge_an_access_log_line(
    gateway_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    server = TestServer(create_app(gateway_settings))
    await server.start_server(access_log_class=PathOnlyAccessLogger, access_log=logging.getLogger("aiohttp.access"))
    async with TestClient(server) as client:
        with caplog.at_level(logging.INFO, logger="aiohttp.access"):
            for path in (FORGED, "/api/clauses/%1B%5B2J%0D%E2%80%AEx", "/" + "a" * 5000):
                await client.get(URL(path, encoded=True))
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 3
    assert all("\n" not in line and "\r" not in line and "\x1b" not in line and "\u202e" not in line for line in lines)
    assert "x%0A2026-12-02" in lines[0] and len(lines[2]) < 400


def test_every_message_is_one_line_and_tracebacks_keep_theirs() -> None:
    formatter = OneLineFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord(
        "bot", logging.WARNING, __file__, 1, "user said %s", ("a\nFAKE b\r\x1b[2J\u2028c",), None
    )
    assert formatter.format(record) == "WARNING bot: user said a\\nFAKE b\\r\\x1b[2J\\u2028c"
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("bot", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = formatter.format(failed)
    assert text.startswith("ERROR bot: failed\nTraceback") and "ValueError: boom" in text


def test_log_tags_cannot_be_reversed_by_hashing_guesses() -> None:
    """Issue 20 N7: log tags were unsalted SHA-256 prefixes; one was reversed in 100 guesses."""
    import hashlib

    from bot.text import sender_tag

    guesses = [f"dingtalk-manager{n}" for n in range(100)]
    tag = sender_tag("dingtalk-manager42")
    assert tag == sender_tag("dingtalk-manager42") and len(tag) == 10  # one process: the same tag
    assert tag not in {hashlib.sha256(g.encode()).hexdigest()[:10] for g in guesses}
