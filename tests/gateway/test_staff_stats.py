"""The console's 统计 page on a generated record set: staff only, the report's figures as tables and inline SVG
charts, no script, a bad date answered in Chinese."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bench.synthetic_records import generate
from bot.gateway.app import create_app
from bot.settings import Settings
from tests.gateway.conftest import CONVERSATION_SECRET, STAFF_TOKEN
from tests.support.ports import free_port


@pytest.fixture(scope="module")
def record_set(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return generate(tmp_path_factory.mktemp("stats"), 400)


@pytest.fixture()
async def client(aiohttp_client: Any, record_set: dict[str, Any]) -> TestClient:
    settings = dataclasses.replace(
        Settings(),
        database_url=record_set["records_url"],
        tracker_store_url=record_set["tracker_url"],
        rasa_url=f"http://127.0.0.1:{free_port()}",
        staff_token=STAFF_TOKEN,
        conversation_secret=CONVERSATION_SECRET,
    )
    return await aiohttp_client(create_app(settings))


async def test_the_page_needs_a_staff_login(client: TestClient) -> None:
    response = await client.get("/staff/stats", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/staff"


async def test_the_page_shows_the_reports_figures_with_charts_and_no_script(
    client: TestClient, record_set: dict[str, Any]
) -> None:
    assert (await client.post("/staff/login", data={"password": STAFF_TOKEN}, allow_redirects=False)).status == 303
    response = await client.get("/staff/stats")
    page = await response.text()
    assert (
        response.status == 200
        and "<script" not in page
        and "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    )
    assert page.count("<h1>") == 1 and page.count("<svg") == 4 and '<th scope="col">主题</th>' in page
    tracker = Path(record_set["tracker_url"].removeprefix("sqlite:///"))
    with sqlite3.connect(tracker) as connection:
        conversations = connection.execute("select count(distinct sender_id) from events").fetchone()[0]
    records = Path(record_set["records_url"].removeprefix("sqlite:///"))
    with sqlite3.connect(records) as connection:
        cases = connection.execute("select count(*) from handoff_cases").fetchone()[0]
    assert f"会话 {conversations} 个" in page and f"转人工 {cases} 件" in page
    assert re.search(r"<td>[^<]+（(guizhou|yunnan|baode|xizang|guangxi)/[\w-]+）</td><td>\d+</td>", page)


async def test_a_later_start_counts_fewer_and_a_bad_date_is_400(client: TestClient) -> None:
    await client.post("/staff/login", data={"password": STAFF_TOKEN}, allow_redirects=False)
    whole = await (await client.get("/staff/stats")).text()
    later = await (await client.get("/staff/stats?since=2026-11-01")).text()
    count = re.compile(r"会话 (\d+) 个")
    assert int(count.search(later).group(1)) < int(count.search(whole).group(1))  # type: ignore[union-attr]
    assert 'value="2026-11-01"' in later
    bad = await client.get("/staff/stats?since=<script>")
    assert bad.status == 400 and "起始日期格式不正确" in await bad.text()


@pytest.mark.parametrize("since", ["0001-01-01", "1900-01-01", "9999-12-31"])
async def test_a_date_out_of_range_is_400_not_500(client: TestClient, since: str) -> None:
    """Issue 20 N9: ``?since=0001-01-01`` was an HTTP 500."""
    await client.post("/staff/login", data={"password": STAFF_TOKEN}, allow_redirects=False)
    response = await client.get("/staff/stats", params={"since": since})
    assert response.status == 400 and "起始日期须在" in await response.text()
