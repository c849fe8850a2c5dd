"""The console's 待标注 inbox (behind the /staff guard): real messages, masked, least confident first, each with the
assistant's reading and reply; a reviewer confirms or corrects the reading, marks the reply, masks a name, or
discards the message, and can see and undo the training examples confirmations made. Every change is in the
audit trail (``bot.review.inbox``); the labels offered are the assistant's own (needs, regions, subjects)."""

from __future__ import annotations

import asyncio
import functools
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.answers.needs import Need, load_needs
from bot.gateway import keys
from bot.gateway.middleware import error_json, json_response, read_json
from bot.gateway.staff import OPERATOR
from bot.gateway.staff_cases import beijing
from bot.kb.query import KnowledgeBase
from bot.review import inbox
from bot.review.inbox import InboxQuery, ReviewError, Vocabulary
from bot.review.mask import MARKABLE
from bot.store.models import ReviewedExample, ReviewItem


@functools.cache
def _needs(path: Path) -> dict[str, Need]:
    return load_needs(path)


def _vocabulary(request: web.Request) -> tuple[Vocabulary, dict[str, Need]]:
    needs = _needs(request.config_dict[keys.SETTINGS].needs_file)
    return Vocabulary.of(request.config_dict[keys.KB], needs), needs


async def listing(request: web.Request) -> web.Response:
    try:
        query = _query(request.query)
    except ValueError:
        return error_json(400, "筛选条件无效：日期写成 YYYY-MM-DD，置信度为 0 到 1 之间的数。")
    rows, total = await asyncio.to_thread(inbox.page, request.config_dict[keys.RECORDS], query)
    _, needs = _vocabulary(request)
    return json_response(
        {
            "items": [_item(row, needs) for row in rows],
            "total": total,
            "page": query.page,
            "page_size": inbox.PAGE_SIZE,
            "labels": _labels(request.config_dict[keys.KB], needs),
        }
    )


def _query(params: Any) -> InboxQuery:
    def day(name: str) -> date | None:
        return date.fromisoformat(params[name]) if params.get(name) else None

    confidence = float(params["max_confidence"]) if params.get("max_confidence") else None
    if confidence is not None and not 0 <= confidence <= 1:
        raise ValueError(confidence)
    status = params.get("status", "pending")
    channel = params.get("channel") or None
    return InboxQuery(
        status=status if status in inbox.STATUSES else "pending",
        channel=channel if channel in inbox.CHANNELS else None,
        since=day("since"),
        until=day("until"),
        max_confidence=confidence,
        unanswered=params.get("unanswered") == "1",
        negative=params.get("negative") == "1",
        containing=str(params.get("q", "")).strip()[:50] or None,
        order="newest" if params.get("order") == "newest" else "confidence",
        page=min(max(1, int(params.get("page", "1"))), 10_000),
    )


def _item(row: ReviewItem, needs: dict[str, Need]) -> dict[str, object]:
    need = needs.get(row.intent or "")
    return {
        "id": row.id,
        "channel": row.channel,
        "text": row.text,
        "intent": row.intent,
        "intent_label": need.label
        if need
        else (inbox.OUT_OF_SCOPE_LABEL if row.intent == inbox.OUT_OF_SCOPE else None),
        "confidence": row.confidence,
        "side": row.side,
        "region": row.region,
        "subject": row.subject,
        "reply_kind": row.reply_kind,
        "reply_text": row.reply_text,
        "refs": row.refs,
        "negative_feedback": row.negative_feedback,
        "reply_verdict": row.reply_verdict,
        "status": row.status,
        "example_id": row.example_id,
        "at": beijing(row.created_at),
    }


def _labels(kb: KnowledgeBase, needs: dict[str, Need]) -> dict[str, object]:
    return {
        "intents": [
            *({"id": n.id, "label": n.label + ("" if n.served else "（方案不涉及）")} for n in needs.values()),
            {"id": inbox.OUT_OF_SCOPE, "label": inbox.OUT_OF_SCOPE_LABEL},
        ],
        "sides": [{"id": k, "label": v} for k, v in inbox.SIDE_LABELS.items()],
        "regions": [d.name for d in kb.gazetteer.divisions],
        "subjects": [{"id": s.id, "name": s.name} for s in kb.subjects.values()],
        "markable": [{"id": kind, "label": label.strip("【】")} for kind, label in MARKABLE.items()],
        "channels": list(inbox.CHANNELS),
    }


async def change(request: web.Request) -> web.Response:
    """confirm (with corrections), discard, reply (good | wrong), mask (a name the reviewer marked)."""
    body = await read_json(request)
    if isinstance(body, web.Response):
        return body
    engine, operator = request.config_dict[keys.RECORDS], request[OPERATOR]
    item_id, action = int(request.match_info["id"]), request.match_info["action"]
    vocabulary, _ = _vocabulary(request)
    try:
        if action == "confirm":
            example = await asyncio.to_thread(inbox.confirm, engine, item_id, operator, vocabulary, body)
            return json_response({"ok": True, "example_id": example})
        if action == "discard":
            await asyncio.to_thread(inbox.discard, engine, item_id, operator)
        elif action == "reply":
            await asyncio.to_thread(inbox.mark_reply, engine, item_id, operator, str(body.get("verdict", "")))
        elif action == "mask":
            kind = str(body.get("kind", ""))
            if kind not in MARKABLE:
                return error_json(400, "只能标记姓名、单位名称或号码。")
            text = await asyncio.to_thread(inbox.mask_more, engine, item_id, operator, str(body.get("span", "")), kind)
            return json_response({"ok": True, "text": text})
        else:
            return error_json(404, "没有这个操作。")
    except ReviewError as error:
        return error_json(409 if "处理过" in str(error) else 400, str(error))
    except LookupError:
        return error_json(404, "没有找到这条消息。")
    return json_response({"ok": True})


async def examples(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(inbox.examples, request.config_dict[keys.RECORDS])
    _, needs = _vocabulary(request)
    return json_response({"examples": [_example(e, needs) for e in reversed(found)]})


def _example(example: ReviewedExample, needs: dict[str, Need]) -> dict[str, object]:
    need = needs.get(example.intent)
    return {
        "id": example.id,
        "text": example.text,
        "intent": example.intent,
        "intent_label": need.label if need else inbox.OUT_OF_SCOPE_LABEL,
        "side": example.side,
        "side_label": inbox.SIDE_LABELS.get(example.side or ""),
        "region": example.region,
        "subject": example.subject,
        "corrected": example.corrected,
        "channel": example.channel,
        "asked_on": example.asked_on.isoformat(),
        "added_by": example.added_by,
        "added_at": beijing(example.added_at),
    }


async def undo(request: web.Request) -> web.Response:
    engine, example_id = request.config_dict[keys.RECORDS], int(request.match_info["id"])
    if not await asyncio.to_thread(inbox.undo, engine, example_id, request[OPERATOR]):
        return error_json(404, "没有找到这条例句。")
    return json_response({"ok": True})
