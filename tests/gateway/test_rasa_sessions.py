"""A new Rasa session after every ``session_turns`` messages of a conversation (bot/gateway/rasa_client.py), against
stand-ins for two Rasa replicas. That Rasa carries the slots over, and what a long conversation then costs, is shown
with the real stack in tests/e2e/test_long_conversations.py and `make bench-long`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.gateway.rasa_client import SESSION_START, RasaPool, TurnCounter
from bot.settings import PROJECT_ROOT


@dataclass
class Replica:
    received: list[tuple[float, str, str]] = field(default_factory=list)  # (time, sender, message)
    session_start_delay: float = 0.0
    session_start_status: int = 200
    url: str = ""

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body["message"] == SESSION_START:
            await asyncio.sleep(self.session_start_delay)
            self.received.append((time.monotonic(), body["sender"], body["message"]))
            return web.json_response([], status=self.session_start_status)  # Rasa answers a session start with []
        self.received.append((time.monotonic(), body["sender"], body["message"]))
        return web.json_response([{"text": f"答：{body['message']}"}, {"custom": {"kind": "answer"}}])

    def messages(self, sender: str) -> list[str]:
        return [message for _, who, message in self.received if who == sender]


@pytest.fixture()
async def replicas() -> AsyncIterator[list[Replica]]:
    made, servers = [Replica(), Replica()], []
    for replica in made:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", replica.webhook)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        replica.url = str(server.make_url("")).rstrip("/")
        servers.append(server)
    yield made
    for server in servers:
        await server.close()


def test_the_counter_says_when_a_conversation_reaches_the_limit_and_counts_again() -> None:
    counter = TurnCounter(limit=3)
    assert [counter.count("a") for _ in range(7)] == [False, False, True, False, False, True, False]
    assert [counter.count("b") for _ in range(3)] == [False, False, True]  # each conversation on its own


def test_a_limit_of_zero_never_restarts_and_the_counter_stays_bounded() -> None:
    assert not any(TurnCounter(limit=0).count("a") for _ in range(1000))
    counter = TurnCounter(limit=2, capacity=3)
    counter.count("old")  # one message: pushed out by three newer conversations, it counts from zero again
    for sender in ("x", "y", "z"):
        counter.count(sender)
    assert counter.count("old") is False
    assert counter.count("old") is True


async def test_the_session_restarts_after_the_limit_on_the_conversations_own_replica(replicas: list[Replica]) -> None:
    async with aiohttp.ClientSession() as session:
        pool = RasaPool(session, [r.url for r in replicas], 5.0, session_turns=3)
        sender = "conversation-0001"
        home = replicas[pool.replica_for(sender)]
        other = replicas[1 - pool.replica_for(sender)]
        for turn in range(7):
            await pool.send(sender, f"问题{turn}")
        await pool.close()
    assert home.messages(sender) == [
        "问题0", "问题1", "问题2", SESSION_START, "问题3", "问题4", "问题5", SESSION_START, "问题6",
    ]  # fmt: skip
    assert other.messages(sender) == []


async def test_the_answer_does_not_wait_for_the_session_start(replicas: list[Replica]) -> None:
    for replica in replicas:
        replica.session_start_delay = 0.5
    async with aiohttp.ClientSession() as session:
        pool = RasaPool(session, [r.url for r in replicas], 5.0, session_turns=1)
        started = time.monotonic()
        messages = await pool.send("conversation-0002", "贵州企业海外维权找谁")
        answered = time.monotonic() - started
        await pool.close()  # waits for the session start in flight
    assert messages[0].text == "答：贵州企业海外维权找谁"
    assert answered < 0.4
    home = replicas[pool.replica_for("conversation-0002")]
    assert home.messages("conversation-0002") == ["贵州企业海外维权找谁", SESSION_START]


async def test_a_failed_session_start_costs_the_user_nothing(
    replicas: list[Replica], caplog: pytest.LogCaptureFixture
) -> None:
    for replica in replicas:
        replica.session_start_status = 500
    async with aiohttp.ClientSession() as session:
        pool = RasaPool(session, [r.url for r in replicas], 5.0, session_turns=1)
        first: Any = await pool.send("conversation-0003", "你好")
        await pool.close()
        second: Any = await pool.send("conversation-0003", "谢谢")
        await pool.close()
    assert first[0].text == "答：你好" and second[0].text == "答：谢谢"
    assert "new session for conversation" in caplog.text
    assert "conversation-0003" not in caplog.text  # the id is a credential: only its tag is logged


@pytest.mark.parametrize(
    "typed, sent",
    [
        ('/intent{"a": 1', '／intent{"a": 1'),
        ("/x{bad json}", "／x{bad json}"),
        ("/greet 我的手机号13812345678", "／greet 我的手机号13812345678"),
        ("//human_handoff", "／human_handoff"),
        ("/greet", "/greet"),
        ('/show_clause{"ref": "guizhou/17"}', '/show_clause{"ref": "guizhou/17"}'),
        ("你好 /x{", "你好 /x{"),
    ],
)
def test_malformed_intent_payloads_reach_rasa_as_text(typed: str, sent: str) -> None:
    """Issue 20 N7: Rasa logged the text of a malformed ``/intent{…`` message as a warning."""
    from bot.gateway.rasa_client import well_formed

    assert well_formed(typed) == sent


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/human_handoff", "/human_handoff"),
        ('/inform{"region": "云南"}', '/inform{"region": "云南"}'),
        ("/session_start", "/session_start"),
        ("/no_such_intent", "／no_such_intent"),  # Rasa warned with the text: an intent the domain lacks
        ('/inform{"password": "x"}', '／inform{"password": "x"}'),  # …or an entity it lacks
    ],
)
def test_payloads_naming_what_the_domain_lacks_reach_rasa_as_text(typed: str, sent: str) -> None:
    """Issue 20 N7: a well-formed payload naming an unknown intent or entity made Rasa log the message's text."""
    from bot.gateway.rasa_client import Vocabulary, well_formed

    vocabulary = Vocabulary.from_domain(PROJECT_ROOT / "domain.yml")
    assert "human_handoff" in vocabulary.intents and "region" in vocabulary.entities
    assert well_formed(typed, vocabulary) == sent
