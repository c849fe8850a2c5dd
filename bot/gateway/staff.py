"""The hotline-staff console: knowledge-base search with filters and copy-ready answers, and the records the
assistant keeps for staff (handoff cases, unanswered questions, negative feedback), each markable as handled.

Access needs the configured STAFF_TOKEN: a login form posts it, and the session cookie carries an HMAC of it
(HttpOnly, SameSite=Strict), compared in constant time. With no token configured the console is closed (503).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.citations import DISCLAIMER, item_block
from bot.gateway import keys
from bot.gateway.middleware import error_json, json_response
from bot.gateway.pages import STATIC
from bot.kb.errors import QueryError
from bot.kb.query import filter_hits
from bot.store.models import Feedback, HandoffCase, UnansweredQuestion

COOKIE = "ipr_staff"
RECORD_KINDS: dict[str, Any] = {"cases": HandoffCase, "unanswered": UnansweredQuestion, "feedback": Feedback}
MAX_RECORDS = 100


def _session_value(token: str) -> str:
    return hmac.new(token.encode(), b"ipr-staff-session-v1", hashlib.sha256).hexdigest()


def is_staff(request: web.Request) -> bool:
    token = request.config_dict[keys.SETTINGS].staff_token
    if not token:
        return False
    offered = request.cookies.get(COOKIE, "")
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    # Bytes, not str: compare_digest refuses non-ASCII str, and a tossed cookie must not lock staff out.
    return hmac.compare_digest(offered.encode(), _session_value(token).encode()) or (
        bool(bearer) and hmac.compare_digest(bearer.encode(), token.encode())
    )


def _closed(request: web.Request) -> web.Response | None:
    if not request.config_dict[keys.SETTINGS].staff_token:
        return web.Response(status=503, text="工作台未启用：请在配置中设置 STAFF_TOKEN。", charset="utf-8")
    return None


async def console(request: web.Request) -> web.StreamResponse:
    closed = _closed(request)
    if closed:
        return closed
    page = "staff.html" if is_staff(request) else "staff-login.html"
    return web.FileResponse(STATIC / page, status=200 if is_staff(request) else 401)


async def login(request: web.Request) -> web.Response:
    closed = _closed(request)
    if closed:
        return closed
    form = await request.post()
    offered = str(form.get("token", ""))
    token = request.config_dict[keys.SETTINGS].staff_token
    if not hmac.compare_digest(offered.encode(), token.encode()):
        raise web.HTTPSeeOther("/staff?failed=1")
    response = web.HTTPSeeOther("/staff")
    response.set_cookie(
        COOKIE,
        _session_value(token),
        httponly=True,
        samesite="Strict",
        path="/staff",
        secure=request.secure,
        max_age=12 * 3600,
    )
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/staff")
    response.del_cookie(COOKIE, path="/staff")
    raise response


def _require_staff(request: web.Request) -> web.Response | None:
    return _closed(request) or (None if is_staff(request) else error_json(401, "请先登录工作台。"))


async def search(request: web.Request) -> web.Response:
    denied = _require_staff(request)
    if denied:
        return denied
    kb = request.config_dict[keys.KB]
    query = request.query.get("q", "")
    region = request.query.get("region") or None
    topic = request.query.get("topic") or None
    agency = request.query.get("agency") or None
    try:
        if query.strip():
            hits = kb.search(query, region=region, limit=30)
        elif topic:
            hits = kb.by_topic(topic, region, limit=30)
        elif agency or region:
            hits = kb.search(agency or "", region=region, limit=30) if agency else kb.all_items(region)
        else:
            return error_json(400, "请输入问题，或选择地区、主题、单位中的至少一项。")
    except QueryError as error:
        return error_json(400, error.message)
    hits = filter_hits(hits, topic=topic, agency=agency)[:20]
    results = [
        {
            "ref": h.item.ref,
            "region": h.item.document.region,
            "label": h.item.label,
            "text": h.item.text,
            "quote": "".join(h.quote),
            "citation": h.item.citation,
            "deadline": h.item.deadline,
            "agencies": [{"name": a.name, "role": a.role_label} for a in h.item.agencies],
            "answer": "\n".join([item_block(h.item, h.quote), DISCLAIMER]),
        }
        for h in hits
    ]
    return json_response(
        {
            "results": results,
            "topics": {t.id: t.name for t in kb.topics.values()},
            "regions": [d.region for d in kb.documents],
        }
    )


def _row(kind: str, row: Any) -> dict[str, Any]:
    data = {
        "kind": kind,
        "id": row.id,
        "conversation_id": row.conversation_id,
        "handled": row.handled,
        "created_at": row.created_at.isoformat() if isinstance(row.created_at, datetime) else str(row.created_at),
    }
    if kind == "cases":
        data.update(
            case_number=row.case_number,
            region=row.region,
            topic=row.topic,
            messages=row.user_messages,
            channel=row.channel,
        )
    elif kind == "unanswered":
        data.update(text=row.text, region=row.region, suggested=row.suggested_refs)
    else:
        data.update(positive=row.positive, refs=row.clause_refs, text=row.user_text)
    return data


async def records(request: web.Request) -> web.Response:
    denied = _require_staff(request)
    if denied:
        return denied
    engine = request.config_dict[keys.RECORDS]
    out: dict[str, list[dict[str, Any]]] = {}
    with Session(engine) as session:
        for kind, model in RECORD_KINDS.items():
            statement = select(model).order_by(model.created_at.desc(), model.id.desc()).limit(MAX_RECORDS)
            if kind == "feedback":
                statement = statement.where(model.positive.is_(False))
            out[kind] = [_row(kind, row) for row in session.scalars(statement)]
    return json_response(out)


async def mark_handled(request: web.Request) -> web.Response:
    denied = _require_staff(request)
    if denied:
        return denied
    if request.headers.get("X-Requested-With") != "ipr-staff":  # no cross-site form can set this header
        return error_json(403, "请求来源无效。")
    model = RECORD_KINDS.get(request.match_info["kind"])
    if model is None:
        return error_json(404, "没有这一类记录。")
    with Session(request.config_dict[keys.RECORDS]) as session, session.begin():
        result = session.execute(update(model).where(model.id == int(request.match_info["id"])).values(handled=True))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return error_json(404, "没有找到这条记录。")
    return json_response({"handled": True})
