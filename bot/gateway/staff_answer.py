"""The console's copy-ready answer (behind the /staff guard): the chat's own answer to the operator's question.

``GET /staff/api/answer?q=…&region=…`` sends the question through Rasa as a new conversation of its own
(``console-<hex>``, channel ``console``), as a user would in the chat: the same NLU reading, the same answer engine,
the same wording. The caller's region, when the operator chose one, is said first — as a user who begins with "我们是
广西的企业" — so the answer is that region's. The operator reads out what the chat would say and cites the same
clauses. Lookups are kept out of the review inbox, the unanswered records and the demand report
(``inbox.staff_lookup``).
"""

from __future__ import annotations

import secrets

from aiohttp import web

from bot.gateway import keys
from bot.gateway.channels.base import Reply
from bot.gateway.chat import clean_text, too_long
from bot.gateway.middleware import error_json, json_response
from bot.gateway.rasa_client import RasaUnavailable
from bot.review.inbox import STAFF_LOOKUP

UNAVAILABLE = "助手暂时无法回答，请稍后再试，或直接检索条款。"


async def answer(request: web.Request) -> web.Response:
    settings, kb = request.config_dict[keys.SETTINGS], request.config_dict[keys.KB]
    question = clean_text(request.query.get("q", ""))
    region = request.query.get("region") or ""
    if not question:
        return error_json(400, "请输入问题。")
    if len(question) > settings.max_message_chars:
        return error_json(400, too_long(settings.max_message_chars))
    if region and region not in {d.region for d in kb.documents}:
        return error_json(400, "没有这个地区的方案。")
    rasa = request.config_dict[keys.RASA]
    conversation, metadata = f"{STAFF_LOOKUP}-{secrets.token_hex(12)}", {"channel": STAFF_LOOKUP}
    try:
        if region:
            await rasa.send(conversation, region, metadata)  # "好的，…。请问您遇到了什么知识产权问题？"
        reply = Reply.of(await rasa.send(conversation, question, metadata))
    except RasaUnavailable:
        return error_json(503, UNAVAILABLE)
    return json_response(
        {
            "kind": reply.kind,
            "text": reply.plain(),
            "citations": [{"ref": ref, "title": title} for ref, title in reply.citations],
            # what the chat offers as buttons (which need is meant, which region…): the operator asks the caller
            "options": [b.title for b in reply.buttons if not b.payload.startswith(("/human_handoff", "/show_clause"))],
            "card": reply.card,  # the step card, when the question is a situation the step data has one for
        }
    )
