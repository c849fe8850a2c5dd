"""The console's 统计 page: what enterprises ask, by topic and region, what the plans could not answer, the most cited
clauses and sought agencies, feedback, handoffs and the weekly trend — server-rendered, no script needed.

The report reads both databases (records and Rasa's tracker store) and takes seconds on months of records, so it is
kept in a ``ReportCache`` warmed at start-up and refreshed behind the scenes; a page view renders the cached report.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import date, timedelta
from html import escape
from pathlib import Path

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway import keys
from bot.gateway.staff import OPERATOR
from bot.kb.query import KnowledgeBase
from bot.report.cache import ReportCache
from bot.report.html import report_html
from bot.report.service import demand_report
from bot.report.svg import charts
from bot.settings import Settings
from bot.text import ChineseTokenizer

EARLIEST = date(2019, 1, 1)  # the 意见 and its plans are from 2019: no record is older
log = logging.getLogger(__name__)
TEMPLATE = Path(__file__).parent / "static" / "stats.html"


def report_cache(settings: Settings, kb: KnowledgeBase) -> ReportCache:
    build = functools.partial(
        demand_report, settings.database_url, settings.tracker_store_url, kb, ChineseTokenizer(settings.dict_dir)
    )
    return ReportCache(build)


async def stats(request: web.Request) -> web.StreamResponse:
    if OPERATOR not in request:
        raise web.HTTPSeeOther("/staff")
    raw = request.query.get("since", "").strip()
    try:
        since = date.fromisoformat(raw) if raw else None
    except ValueError:
        return web.Response(status=400, text="起始日期格式不正确，请写成 2026-06-01。", charset="utf-8")
    if since is not None and not EARLIEST <= since <= date.today() + timedelta(days=1):  # 0001-01-01 overflowed: a 500
        return web.Response(status=400, text=f"起始日期须在 {EARLIEST} 与今天之间。", charset="utf-8")
    try:
        cached = await asyncio.to_thread(request.config_dict[keys.REPORT].get, since)
    except SQLAlchemyError:
        log.exception("the demand report could not be built")
        return web.Response(status=503, text="统计暂时无法生成（记录数据库不可用），请稍后再试。", charset="utf-8")
    page = TEMPLATE.read_text(encoding="utf-8")
    body = report_html(cached.report, charts(cached.report))
    page = page.replace("<!--since-->", escape(since.isoformat() if since else "")).replace("<!--report-->", body)
    return web.Response(text=page, content_type="text/html", charset="utf-8")
