"""The console's handoff cases (behind the /staff guard): one case with its transcript, contact, reply, notes and
history; an operator's reply, note, close or reopen (each in the audit trail with who and when); the newest-case
poll behind the console's badge; and the records whose cited clause has changed or gone since they were made
(issue 14: old and new text side by side)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway import keys
from bot.gateway.middleware import error_json, json_response, open_event_stream, read_json
from bot.gateway.staff import OPERATOR
from bot.kb.changelog import change_phrases
from bot.kb.errors import QueryError
from bot.kb.query import KnowledgeBase
from bot.report.sources import read_only_engine, read_transcript
from bot.store import records as store
from bot.store.contact import KINDS as CONTACT_KINDS
from bot.store.models import HandoffCase

log = logging.getLogger(__name__)

BEIJING = timezone(timedelta(hours=8), "北京时间")
ACTIONS = {"reply": "答复", "note": "备注", "handled": "办结", "reopen": "重新打开"}  # audit action → what staff read
MAX_BODY = 2000
FLAGGED_LIMIT = 100


def beijing(moment: datetime | None) -> str:
    """ "2026-11-30 20:46（北京时间）": the console shows every time in UTC+8 and says so."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def topic_name(kb: KnowledgeBase, topic: str | None) -> str | None:
    """A topic's Chinese name; older cases stored its id (ip_insurance → 知识产权保险)."""
    if not topic:
        return None
    found = kb.topics.get(topic)
    return found.name if found else topic


def case_summary(kb: KnowledgeBase, row: Any) -> dict[str, Any]:
    regions = row.regions or ([row.region] if row.region else [])
    topics = row.topics or ([topic_name(kb, row.topic)] if row.topic else [])
    return {
        "case_number": row.case_number,
        "region": regions[-1] if regions else None,
        "topic": topic_name(kb, topics[-1]) if topics else None,
        "regions": regions,
        "topics": [topic_name(kb, t) for t in topics],
        "channel": row.channel,
        # what the user saw themselves write: button titles, never payloads ("/human_handoff")
        "messages": [t["text"] for t in row.transcript or [] if t.get("who") == "user"]
        or [m for m in row.user_messages if not m.startswith("/")],
        "contact": row.contact,
        "contact_kind": CONTACT_KINDS.get(row.contact_kind or "", None),
        "reply": row.reply,
        "replied_at": beijing(row.replied_at),
    }


PLATFORMS = {"wechat": "公众号", "wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}


def delivery_line(row: HandoffCase, sendable: frozenset[str]) -> str:
    """How the operator's reply reaches the user, in the operator's words (bot.gateway.push and .delivery)."""
    lookup = f"用户也可发送“查询 {row.case_number}”查看"
    platform = PLATFORMS.get(row.channel)
    if platform is None:
        return f"答复会出现在用户仍打开的对话页面；{lookup}。"
    if row.channel not in sendable:
        return f"本服务未配置{platform}的发送接口，答复不会主动发出；{lookup}。"
    if not row.reply_to:
        return f"无法通过{platform}主动发送（未记录用户地址）；{lookup}。"
    if row.reply is None:
        return f"答复后会通过{platform}发送给用户。"
    if row.delivery_error:
        return f"未能通过{platform}送达：{row.delivery_error}；{lookup}。"
    if row.delivered_at is not None and row.replied_at is not None and row.delivered_at >= row.replied_at:
        return f"答复已通过{platform}发送给用户。"
    return f"答复正在通过{platform}发送（通常几秒内）。"


def _case_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def case_detail(request: web.Request) -> web.Response:
    engine, kb = request.config_dict[keys.RECORDS], request.config_dict[keys.KB]
    case_id = _case_id(request)

    def read() -> dict[str, Any] | None:
        row = store.get_case(engine, case_id)
        if row is None:
            return None
        history = store.case_history(engine, case_id)
        return {
            "id": row.id,
            "handled": row.handled,
            "created_at": beijing(row.created_at),
            "closed_at": beijing(row.closed_at),
            **case_summary(kb, row),
            "transcript": _transcript(request.config_dict[keys.SETTINGS].tracker_store_url, row),
            "citations": [_citation(kb, ref) for ref in row.cited_refs or []],
            "notes": [{**n, "at": beijing(datetime.fromisoformat(n["at"]))} for n in row.notes or []],
            "history": [
                {"at": beijing(at), "by": by, "action": ACTIONS.get(a, a), "text": text} for at, by, a, text in history
            ],
            "delivery": delivery_line(row, request.config_dict[keys.SENDABLE]),
        }

    found = await asyncio.to_thread(read)
    return json_response(found) if found is not None else error_json(404, "没有找到这个案件。")


def _transcript(tracker_url: str, row: HandoffCase) -> list[dict[str, str]]:
    """The case's transcript, or the whole conversation from Rasa's tracker store when that holds more: a case
    stores the Rasa session it was opened in, and the gateway starts a new session every few dozen messages."""
    stored = row.transcript or [{"who": "user", "text": m} for m in row.user_messages]
    try:
        engine = read_only_engine(tracker_url)
        try:
            # A few seconds past the case: the bot's reply to 转人工 is stored once the action has run.
            whole = read_transcript(engine, row.conversation_id, row.created_at + timedelta(seconds=5))
        finally:
            engine.dispose()
    except SQLAlchemyError as error:
        log.warning("tracker store not readable for a case transcript: %s", type(error).__name__)
        return stored
    return whole if len(whole) > len(stored) else stored


def _citation(kb: KnowledgeBase, ref: str) -> dict[str, str]:
    try:
        item = kb.by_ref(ref)
    except QueryError:
        return {"ref": ref, "title": ref}
    return {"ref": ref, "title": f"{item.document.region} {item.label}"}


async def change_case(request: web.Request) -> web.Response:
    """POST {"text": …} to reply / note; close and reopen need no text."""
    action = request.match_info["action"]
    if action not in ("reply", "note", "close", "reopen"):
        return error_json(404, "没有这个操作。")
    body: dict[str, Any] = {}
    if request.can_read_body:
        read = await read_json(request)
        if isinstance(read, web.Response):
            return read
        body = read
    text = str(body.get("text", "")).strip()
    if action in ("reply", "note") and not text:
        return error_json(400, "请填写内容。")
    if len(text) > MAX_BODY:
        return error_json(400, f"内容不能超过{MAX_BODY}字。")
    engine = request.config_dict[keys.RECORDS]
    changed = await asyncio.to_thread(store.update_case, engine, _case_id(request), request[OPERATOR], action, text)
    if changed is None:
        return error_json(404, "没有找到这个案件。")
    return json_response({"ok": True, "handled": changed.handled, "by": request[OPERATOR]})


async def latest(request: web.Request) -> web.Response:
    newest, waiting = await asyncio.to_thread(store.newest_case, request.config_dict[keys.RECORDS])
    return json_response({"newest": newest, "open": waiting})


CASE_CHECK_SECONDS = 2.0  # the promise is 5 s from 转人工 to the console
CASE_STREAM_SECONDS = 30 * 60


async def case_events(request: web.Request) -> web.StreamResponse:
    """New cases pushed to an open console (server-sent events): ``event: cases`` with the newest case id and how
    many are open, whenever either changes. The check is one indexed query every 2 s per open console — consoles
    are a handful of operators, unlike chat pages."""
    engine = request.config_dict[keys.RECORDS]
    response = await open_event_stream(request)
    last: tuple[int, int] | None = None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CASE_STREAM_SECONDS
    with contextlib.suppress(ConnectionResetError):
        await response.write(b"retry: 3000\n\n")
        while loop.time() < deadline:
            now: tuple[int, int] | None
            try:
                now = await asyncio.to_thread(store.newest_case, engine)
            except SQLAlchemyError:
                log.warning("records not readable for the console's new-case events")
                now = last
            if now is not None and now != last:
                last = now
                data = json.dumps({"newest": now[0], "open": now[1]})
                await response.write(f"event: cases\ndata: {data}\n\n".encode())
            else:
                await response.write(b": keepalive\n\n")
            await asyncio.sleep(CASE_CHECK_SECONDS)
    return response


KIND_NAMES = {"cases": "转人工", "feedback": "反馈", "unanswered": "未能回答的问题"}


def flagged_records(kb: KnowledgeBase, engine: Any, limit: int = FLAGGED_LIMIT) -> list[dict[str, Any]]:
    """Records that cited a clause which changed or disappeared since the record was made, newest first, with the
    clause as it read then and as it reads now (the knowledge base's ``changed_citations``)."""
    out: list[dict[str, Any]] = []
    for kind, row, refs in store.cited_records(engine):
        changed = kb.changed_citations(refs, row.created_at)
        if not changed:
            continue
        label = row.case_number if kind == "cases" else row.text if kind == "unanswered" else row.user_text
        out.append(
            {
                "kind": kind,
                "kind_name": KIND_NAMES[kind],
                "id": row.id,
                "label": label,
                "created_at": beijing(row.created_at),
                "sort": row.created_at.isoformat(),
                "clauses": [_side_by_side(kb, c) for c in changed],
            }
        )
    out.sort(key=lambda r: r["sort"], reverse=True)
    return out[:limit]


def _side_by_side(kb: KnowledgeBase, cited: Any) -> dict[str, Any]:
    then = cited.then
    return {
        "ref": cited.ref,
        "then_title": f"{then.document.region} {then.label}" if then is not None else cited.ref,
        "then_text": then.text if then is not None else "",
        "now": [{"ref": i.ref, "title": f"{i.document.region} {i.label}", "text": i.text} for i in cited.now],
        "removed": cited.removed,
        "changes": [p for c in cited.changes for p in change_phrases(c)],
    }


async def flagged(request: web.Request) -> web.Response:
    kb, engine = request.config_dict[keys.KB], request.config_dict[keys.RECORDS]
    rows = await asyncio.to_thread(flagged_records, kb, engine)
    return json_response({"records": [{k: v for k, v in r.items() if k != "sort"} for r in rows]})
