"""The console's copy-ready answer is the chat's answer (issue 22): the same question, asked by a caller in the chat
and by an operator in the console (with the caller's region chosen), gets the same kind of reply citing the same
clauses, in the same order; and an operator's lookup is kept out of the review inbox."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import ReviewItem
from tests.e2e.conftest import Chat
from tests.e2e.test_fuzz import staff_login
from tests.e2e.test_gateway_stack import new_conversation, web_chat
from tests.support.http import fetch

# (question, the caller's region as the console's filter offers it; "" when none is chosen)
QUESTIONS = [
    ("贵州企业海外维权找谁？", ""),
    ("我们在展会上发现有人仿冒我们的产品，该找哪个部门", "贵州省"),
    ("商标被人抢注了怎么办", "西藏自治区"),
    ("有人在网上卖我们品牌的假货怎么办", "云南省"),
    ("想用专利做质押贷款，政府有没有支持", "广西壮族自治区"),
    ("保德县对侵权假冒有没有专项整治", ""),
    ("卖假货会判几年", "贵州省"),
]


def contract(messages: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The reply's kind (the last message's contract) and the refs it cites, in order."""
    kind, refs = "", []
    for message in messages:
        custom = message.get("custom") or {}
        kind = custom.get("kind", kind)
        refs.extend(c["ref"] for c in custom.get("citations", []) if c["ref"] not in refs)
    return kind, refs


def chat_answer(chat: Chat, question: str, region: str) -> tuple[str, list[str]]:
    """A user who says where they are first (when the console has a region chosen), then asks."""
    sender = new_conversation(chat)
    if region:
        assert web_chat(chat, sender, region)[0] == 200
    status, body = web_chat(chat, sender, question)
    assert status == 200, body
    return contract(body["messages"])


def console_answer(chat: Chat, cookie: str, question: str, region: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({"q": question, "region": region})
    reply = fetch(f"{chat.gateway}/staff/api/answer?{query}", headers={"Cookie": cookie})
    assert reply.status == 200, reply.body
    return dict(reply.json())


@pytest.fixture(scope="module")
def cookie(chat: Chat) -> str:
    return staff_login(chat.gateway)


@pytest.mark.parametrize(("question", "region"), QUESTIONS)
def test_the_console_cites_what_the_chat_cites(chat: Chat, cookie: str, question: str, region: str) -> None:
    kind, refs = chat_answer(chat, question, region)
    console = console_answer(chat, cookie, question, region)
    assert (console["kind"], [c["ref"] for c in console["citations"]]) == (kind, refs)
    for ref in refs:  # the copy-ready text names every clause it cites, as the chat's "依据" line
        title = next(c["title"] for c in console["citations"] if c["ref"] == ref)
        assert title in console["text"]


def test_the_console_answer_holds_the_chats_facts(chat: Chat, cookie: str) -> None:
    console = console_answer(chat, cookie, "贵州企业海外维权找谁？", "")
    assert console["citations"][0] == {"ref": "guizhou/17", "title": "贵州省 第17条"}
    assert "牵头单位：省商务厅" in console["text"] and "依据：贵州省 第17条" in console["text"]
    assert not {"查看原文", "转人工"} & set(console["options"])  # the chat's own buttons, not the caller's choice
    unasked = console_answer(chat, cookie, "有人在网上卖我们品牌的假货怎么办", "")
    assert unasked["kind"] == "ask_region" and "哪个地区" in unasked["text"]
    assert {"贵州省", "云南省"} <= set(unasked["options"])  # the regions to ask the caller about
    caller = console_answer(chat, cookie, "有人在网上卖我们品牌的假货怎么办", "云南省")
    assert caller["kind"] == "answer" and caller["citations"][0]["ref"] == "yunnan/10"
    silent = console_answer(chat, cookie, "想用专利做质押贷款，政府有没有支持", "广西壮族自治区")
    assert "广西" in silent["text"] and not any(c["ref"].startswith("guangxi/") for c in silent["citations"])


def test_a_lookup_is_not_a_users_question(chat: Chat, cookie: str) -> None:
    question = "有人抄袭了我们的外观设计，能找谁帮忙维权"
    sender = new_conversation(chat)
    web_chat(chat, sender, question)
    console_answer(chat, cookie, question, "云南省")
    time.sleep(1.0)  # the inbox is written in the background
    with Session(chat.engine) as session:
        users = session.scalar(select(func.count()).where(ReviewItem.conversation_id == f"web-{sender}"))
        lookups = session.scalar(select(func.count()).where(ReviewItem.conversation_id.like("console-%")))
    assert users == 1 and lookups == 0


@pytest.mark.parametrize(
    ("query", "status"),
    [({"q": ""}, 400), ({"q": "假" * 501}, 400), ({"q": "商标被抢注", "region": "浙江省"}, 400)],
    ids=["empty", "too-long", "unknown-region"],
)
def test_bad_lookups_get_a_clear_error(chat: Chat, cookie: str, query: dict[str, str], status: int) -> None:
    reply = fetch(f"{chat.gateway}/staff/api/answer?{urllib.parse.urlencode(query)}", headers={"Cookie": cookie})
    assert reply.status == status and reply.json()["error"]


def test_the_answer_is_for_operators_only(chat: Chat) -> None:
    reply = fetch(f"{chat.gateway}/staff/api/answer?q=%E5%95%86%E6%A0%87")
    assert reply.status in (401, 403)
