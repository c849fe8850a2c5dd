"""JSON API for the chat page and the widget: /api/chat, /api/clauses/{ref}, /api/info."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from bot.answers.examples import EXAMPLES
from bot.gateway import conversations, keys
from bot.gateway.middleware import cors_headers, error_json, foreign_origin, json_response, read_json
from bot.gateway.rasa_client import RasaUnavailable
from bot.gateway.ratelimit import client_key
from bot.kb.changelog import change_phrases, version_label
from bot.kb.errors import NotFound
from bot.kb.query import KnowledgeBase
from bot.kb.views import ClauseView
from bot.store.privacy import privacy_notice
from bot.store.records import FEEDBACK_REASONS, add_feedback_reason

UNAVAILABLE = "助手暂时无法回答，请稍后重试。如需人工帮助，请稍后发送“转人工”。"
INVALID_CONVERSATION = "会话编号无效，请刷新页面后重试。"


def _cors(request: web.Request) -> dict[str, str]:
    return cors_headers(request, request.config_dict[keys.SETTINGS].widget_origins)


async def preflight(request: web.Request) -> web.Response:
    headers = _cors(request)
    return web.Response(status=204 if "Access-Control-Allow-Origin" in headers else 403, headers=headers)


def clean_text(text: str) -> str:
    """Drop control characters (except line breaks) and surrounding blanks; the text is otherwise kept as typed."""
    return "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)).strip()


def too_long(limit: int) -> str:
    """What a question over ``limit`` characters gets (the chat and the console's lookup)."""
    return f"问题太长了，请控制在{limit}字以内。"


async def chat(request: web.Request) -> web.Response:
    headers = _cors(request)
    body = await _admitted(request, headers)
    if isinstance(body, web.Response):
        return body
    settings = request.config_dict[keys.SETTINGS]
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not known_conversation(request, sender):
        response = error_json(400, INVALID_CONVERSATION)
        response.headers["X-Conversation-Invalid"] = "1"  # the page asks for a new id and sends again
        return response
    if not isinstance(message, str) or not clean_text(message):
        response = error_json(400, "请输入您的问题。")
    elif len(clean_text(message)) > settings.max_message_chars:
        response = error_json(400, too_long(settings.max_message_chars))
    else:
        started = time.perf_counter()
        try:
            replies, replica = await request.config_dict[keys.RASA].send_routed(
                f"web-{sender}", clean_text(message), {"channel": "web"}
            )
            response = json_response({"messages": [m.as_json() for m in replies]})
            if settings.diagnostic_headers:
                response.headers["X-Rasa-Replica"] = str(replica)
        except RasaUnavailable:
            response = error_json(503, UNAVAILABLE)
        if settings.diagnostic_headers:
            # How long Rasa (NLU, policies, actions) took: the load benchmark splits the time per layer with it.
            response.headers["Server-Timing"] = f"rasa;dur={(time.perf_counter() - started) * 1000:.1f}"
    response.headers.update(headers)
    return response


async def _admitted(request: web.Request, headers: dict[str, str]) -> dict[str, Any] | web.Response:
    """The JSON body of a widget's POST from an allowed site within the client's rate, else the answer to send."""
    if foreign_origin(request, headers):
        return error_json(403, "这个网站未被允许使用聊天接口。")
    body = await read_json(request)
    if isinstance(body, web.Response):
        body.headers.update(headers)
        return body
    wait = await request.config_dict[keys.LIMITER].check(client_key(request.remote))
    return _too_frequent(wait, headers) if wait else body


def _too_frequent(wait: float, headers: dict[str, str]) -> web.Response:
    seconds = max(1, round(wait))
    response = error_json(429, f"请求过于频繁，请{seconds}秒后再试。")
    response.headers.update({**headers, "Retry-After": str(seconds)})
    return response


def known_conversation(request: web.Request, sender: str) -> bool:
    if conversations.valid(request.config_dict[keys.CONVERSATION_SECRET], sender):
        return True
    return request.config_dict[keys.SETTINGS].accept_client_ids and bool(conversations.CLIENT_ID.fullmatch(sender))


async def feedback_reason(request: web.Request) -> web.Response:
    """POST {"sender", "reason"}: what went wrong with the answer the user just marked 没用, one of a fixed set (the
    "哪里没帮上？" choices under the answer). 204, or 404 when the conversation has no recent 没用 without a reason."""
    headers = _cors(request)
    body = await _admitted(request, headers)
    if isinstance(body, web.Response):
        return body
    sender, reason = body.get("sender"), body.get("reason")
    if not isinstance(sender, str) or not known_conversation(request, sender):
        response = error_json(400, INVALID_CONVERSATION)
    elif not isinstance(reason, str) or reason not in FEEDBACK_REASONS:
        response = error_json(400, "请选择一个原因。")
    else:
        engine = request.config_dict[keys.RECORDS]
        kept = await asyncio.to_thread(add_feedback_reason, engine, f"web-{sender}", reason)
        response = web.Response(status=204) if kept else error_json(404, "没有找到要补充原因的反馈。")
    response.headers.update(headers)
    return response


async def new_conversation(request: web.Request) -> web.Response:
    """A conversation id for a new chat (the page and the widget ask once per browser tab)."""
    if foreign_origin(request, _cors(request)):
        return error_json(403, "这个网站未被允许使用聊天接口。")
    wait = await request.config_dict[keys.ID_LIMITER].check(client_key(request.remote))
    if wait:  # each id may open a 转人工 case: ids are issued at a human pace (issue 20 N10)
        return _too_frequent(wait, {})
    secret = request.config_dict[keys.CONVERSATION_SECRET]
    return json_response({"conversation": conversations.issue(secret)}, status=201)


async def clause(request: web.Request) -> web.Response:
    kb = request.config_dict[keys.KB]
    try:
        item = kb.by_ref(request.match_info["ref"])
    except NotFound as error:
        return error_json(404, error.message)
    document = item.document
    data = {
        "ref": item.ref,
        "region": document.region,
        "label": item.label,
        "title": item.title,
        "citation": item.citation,
        "text": item.text,
        "agencies": [{"name": a.name, "role": a.role_label} for a in item.agencies],
        "no_agency": isinstance(item, ClauseView) and not item.agencies,
        "deadline": item.deadline,
        "document": {
            "title": document.title,
            "status": document.status,
            "level": document.level_label,
            "dated": document.dated,
            "doc_number": document.doc_number,
            "version": document.version,
            "in_force": document.in_force,
        },
        "history": clause_history(kb, item.ref),
    }
    return json_response(data, headers=_cors(request))


def clause_history(kb: KnowledgeBase, ref: str) -> list[dict[str, object]]:
    """The clause through the versions of its plan, oldest first: which version, its ref there, what changed into
    it ("牵头单位由省商务厅改为省市场监管局"); empty for a plan with one version."""
    try:
        lineage = kb.history(ref)
    except NotFound:
        return []
    if len(lineage) < 2:
        return []
    return [
        {
            "version": version_label(step.document),
            "ref": step.item.ref if step.item is not None else None,
            "in_force": step.document.in_force,
            "changes": change_phrases(step.change) if step.change is not None else [],
        }
        for step in lineage
    ]


async def info(request: web.Request) -> web.Response:
    """What the welcome says: the plans covered, with status and date."""
    kb = request.config_dict[keys.KB]
    plans = [
        {"region": d.region, "title": d.citation, "level": d.level_label, "status": d.status, "dated": d.dated}
        for d in kb.documents
    ]
    settings = request.config_dict[keys.SETTINGS]
    return json_response(
        {
            "plans": plans,
            "max_message_chars": settings.max_message_chars,
            "privacy": privacy_notice(settings.retention_days),
            "note": request.config_dict[keys.WORDING].text("utter_page_note"),  # the widget's disclaimer line
            "examples": list(EXAMPLES),  # the chips a new conversation offers, as the greeting's buttons
            "service": {"hotline": settings.hotline_number, "hours": settings.service_hours},
            "feedback_reasons": [{"id": key, "title": title} for key, title in FEEDBACK_REASONS.items()],
        },
        headers=_cors(request),
    )
