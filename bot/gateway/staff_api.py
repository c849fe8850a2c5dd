"""The console's JSON API (behind the /staff guard): knowledge-base search with filters and copy-ready answers, and
the records the assistant keeps for staff — handoff cases, unanswered questions, negative feedback — a page at
a time, unhandled first, each markable as handled (and the audit trail says by whom)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.answers.blocks import item_block
from bot.answers.contacts import details
from bot.answers.model import Cited
from bot.gateway import keys
from bot.gateway.middleware import error_json, json_response
from bot.gateway.staff import OPERATOR
from bot.gateway.staff_cases import beijing, case_summary
from bot.kb.console_search import console_search
from bot.kb.errors import QueryError
from bot.kb.query import KnowledgeBase, Scored, filter_hits
from bot.kb.views import Item
from bot.store import directory
from bot.store import records as store
from bot.store.staff import handled_by

PAGE_SIZE = 50
DIRECTORY: web.RequestKey[dict[tuple[str, str], directory.Contact]] = web.RequestKey("service_directory")


async def search(request: web.Request) -> web.Response:
    kb = request.config_dict[keys.KB]
    contacts = await asyncio.to_thread(directory.listing, request.config_dict[keys.RECORDS])
    request[DIRECTORY] = {(c.plan, c.agency): c for c in contacts}
    query = request.query.get("q", "")
    region = request.query.get("region") or None
    topic = request.query.get("topic") or None
    agency = request.query.get("agency") or None
    try:
        if query.strip():
            return _matching(request, kb, query, region, topic, agency)
        if topic:
            hits = kb.by_topic(topic, region, limit=30)
        elif agency or region:
            hits = kb.search(agency or "", region=region, limit=30) if agency else kb.all_items(region)
        else:
            return error_json(400, "请输入问题，或选择地区、主题、单位中的至少一项。")
    except QueryError as error:
        return error_json(400, error.message)
    hits = filter_hits(hits, topic=topic, agency=agency)[:20]
    return _results(request, kb, [_result(request, h.item, h.quote, ()) for h in hits])


def _matching(
    request: web.Request, kb: KnowledgeBase, query: str, region: str | None, topic: str | None, agency: str | None
) -> web.Response:
    """A typed query: only clauses holding its words (``console_search``), the words marked."""
    found = console_search(kb, query, region=region, limit=200)
    kept = filter_hits([Scored(f.item, 0.0, (f.sentence,)) for f in found], topic=topic, agency=agency)
    words = {f.item.ref: f.words for f in found}
    return _results(request, kb, [_result(request, h.item, h.quote, words[h.item.ref]) for h in kept[:20]])


def _result(request: web.Request, item: Item, quote: tuple[str, ...], marks: tuple[str, ...]) -> dict[str, Any]:
    leads = [a.name for a in item.leads]
    kept = request[DIRECTORY]
    known = [kept[(item.document.slug, name)] for name in leads if (item.document.slug, name) in kept]
    wording = request.config_dict[keys.WORDING]
    contact_lines = [f"联系方式：{c.agency}：{details(c, wording)}（本服务登记）" for c in known]
    notice = wording.text("utter_notice_line")  # the chat's disclaimer
    return {
        "ref": item.ref,
        "region": item.document.region,
        "label": item.label,
        "text": item.text,
        "quote": "".join(quote),
        "marks": list(marks),  # the searched words the quote holds: the page highlights them
        "citation": item.citation,
        "deadline": item.deadline,
        "agencies": [{"name": a.name, "role": a.role_label} for a in item.agencies],
        "lead": leads,
        "contacts": [c.as_json() for c in known],
        "answer": "\n".join([item_block(item, wording, quote), *contact_lines, notice]),
    }


def _results(request: web.Request, kb: KnowledgeBase, results: list[dict[str, Any]]) -> web.Response:
    operator: str = request[OPERATOR]
    return json_response(
        {
            "results": results,
            "topics": {t.id: t.name for t in kb.topics.values()},
            "regions": [d.region for d in kb.documents],
            "operator": operator,
        }
    )


def _row(kb: Any, kind: str, row: Any, by: dict[int, str]) -> dict[str, Any]:
    data = {
        "kind": kind,
        "id": row.id,
        "conversation_id": row.conversation_id,
        "handled": row.handled,
        "handled_by": by.get(row.id),
        "created_at": row.created_at.isoformat() if isinstance(row.created_at, datetime) else str(row.created_at),
        "created_label": beijing(row.created_at) if isinstance(row.created_at, datetime) else "",
    }
    if kind == "cases":
        data.update(case_summary(kb, row))
    elif kind == "unanswered":
        data.update(
            text=row.text,
            region=row.region,
            suggested=row.suggested_refs,
            suggested_titles=_titles(kb, row.suggested_refs),
        )
    else:
        data.update(
            positive=row.positive,
            refs=row.clause_refs,
            text=row.user_text,
            cited=_titles(kb, row.clause_refs),
            reason=store.FEEDBACK_REASONS.get(row.reason or ""),
        )
    return data


def _titles(kb: KnowledgeBase, refs: list[str] | None) -> list[str]:
    """Clause refs as a person reads them ("云南省 第10条"); a ref no longer in the plans stays as stored."""
    titles = []
    for ref in refs or []:
        try:
            item = kb.by_ref(ref)
        except QueryError:
            titles.append(ref)
            continue
        titles.append(Cited(item, ()).short_title)  # as the chat cites it
    return titles


def _page_size(request: web.Request) -> int:
    text = request.query.get("size", "")
    return (
        min(int(text), PAGE_SIZE)
        if text.isascii() and text.isdigit() and 0 < len(text) <= 3 and int(text)
        else PAGE_SIZE
    )


def _page(request: web.Request) -> int:
    text = request.query.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 1 <= len(text) <= 6 and int(text) >= 1 else 1


async def records(request: web.Request) -> web.Response:
    """?page=N&view=open (未处理, what the console shows first) or view=all (全部, the default)."""
    engine, kb = request.config_dict[keys.RECORDS], request.config_dict[keys.KB]
    page = _page(request)
    only_open = request.query.get("view") == "open"
    page_size = _page_size(request)

    def read() -> dict[str, Any]:
        view = "open" if only_open else "all"
        out: dict[str, Any] = {"page": page, "page_size": page_size, "view": view, "counts": {}}
        for kind in store.RECORD_KINDS:
            found = store.record_page(engine, kind, page, page_size, only_open=only_open)
            by = handled_by(engine, kind, [row.id for row in found.rows if row.handled])
            out[kind] = [_row(kb, kind, row, by) for row in found.rows]
            out["counts"][kind] = {"total": found.total, "open": found.open}
        return out

    return json_response(await asyncio.to_thread(read))


async def mark_handled(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    if kind not in store.RECORD_KINDS:
        return error_json(404, "没有这一类记录。")
    engine = request.config_dict[keys.RECORDS]
    record_id = int(request.match_info["id"])
    if not await asyncio.to_thread(store.mark_handled, engine, kind, record_id, request[OPERATOR]):
        return error_json(404, "没有找到这条记录。")
    return json_response({"handled": True, "handled_by": request[OPERATOR]})
