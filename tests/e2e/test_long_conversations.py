"""A long conversation through the gateway: after every ``RASA_SESSION_TURNS`` messages the gateway starts a new
Rasa session (bot/gateway/rasa_client.py), and the conversation goes on as if nothing happened. The figures
(turn 500 against turn 1) are `make bench-long`'s."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import create_engine, text

from bot.settings import Settings
from tests.e2e.conftest import Chat
from tests.e2e.test_gateway_stack import new_conversation, web_chat

SESSION_TURNS = Settings().rasa_session_turns  # the e2e stack runs the gateway's default


def say(chat: Chat, conversation: str, message: str) -> dict[str, Any]:
    status, body = web_chat(chat, conversation, message)
    assert status == 200, body
    custom = body["messages"][-1]["custom"]
    assert isinstance(custom, dict)
    return {"custom": custom, "text": "\n".join(m["text"] for m in body["messages"] if m["text"])}


def sessions_started(chat: Chat, conversation: str) -> int:
    engine = create_engine(chat.tracker_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT COUNT(*) FROM events WHERE sender_id = :sender AND type_name = 'session_started'")
            return int(connection.execute(query, {"sender": f"web-{conversation}"}).scalar_one())
    finally:
        engine.dispose()


def test_a_question_waiting_for_its_region_is_answered_across_a_new_session(chat: Chat) -> None:
    conversation = new_conversation(chat)
    for _ in range(SESSION_TURNS - 1):
        say(chat, conversation, "你好")
    assert sessions_started(chat, conversation) == 1  # Rasa's own, at the first message
    asked = say(chat, conversation, "快手直播间有人卖我们牌子的假货，怎么投诉")  # the last turn of the session
    assert asked["custom"]["kind"] == "ask_region"
    deadline = time.monotonic() + 10
    while sessions_started(chat, conversation) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the gateway starts the new session once the answer is out
    assert sessions_started(chat, conversation) == 2

    answer = say(chat, conversation, "广西壮族自治区")  # the first turn of the new session
    assert answer["custom"]["kind"] == "answer" and answer["custom"]["region"] == "guangxi"
    # the question asked before the new session, in its own words: 广西's step card, led by the platform step
    assert answer["custom"]["citations"][0]["ref"] == "guangxi/10" and answer["custom"]["situation"] == "online_fakes"
    assert "删除侵权内容" in answer["text"]

    other = say(chat, conversation, "那西藏呢？")  # the last question, carried over, for another region
    assert other["custom"]["kind"] == "answer" and other["custom"]["region"] == "xizang"
    # the card of 西藏's plan, every step cited from it
    assert all(c["ref"].startswith("xizang/") for c in other["custom"]["citations"]) and other["custom"]["citations"]


def test_the_new_session_leaves_the_earlier_messages_in_the_tracker_store(chat: Chat) -> None:
    """Reports and the privacy commands read every session: nothing before the new session is dropped."""
    conversation = new_conversation(chat)
    for turn in range(SESSION_TURNS + 2):
        say(chat, conversation, "贵州企业海外维权找谁" if turn % 2 == 0 else "谢谢")
    engine = create_engine(chat.tracker_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id")
            users = [row[0] for row in connection.execute(query, {"sender": f"web-{conversation}"})]
    finally:
        engine.dispose()
    typed = [u for u in users if "/session_start" not in u]
    assert len(typed) == SESSION_TURNS + 2 and len(users) == len(typed) + 1
