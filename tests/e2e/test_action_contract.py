"""The action-server contract between the real Rasa 3.6.21 server (rasa env, Python 3.10) and the action server on
the app env's rasa-sdk (Python 3.11, issue 24): Rasa and rasa-sdk no longer share a version, so what they say to
each other is checked here, on the wire.

A recording proxy sits between Rasa and the action server and keeps every call. One conversation runs every custom
action in the domain and Rasa's session start; then:

- every domain action was called, and answered 200 with only ``events`` and ``responses``;
- every event an action returns is of a type the product uses (``slot``) for a slot of the domain, with a value of
  the slot's type, and every slot of the domain is set by some action;
- what an action returned comes back: its slot events are in the tracker Rasa sends with the next call (same key,
  same value, same order), its messages reach the REST channel (text, buttons, ``custom``, domain responses), and
  each message it sent is a ``bot`` event of the next tracker with the same ``custom`` — what the handoff case and
  the console read back (actions/cases.py);
- every event type the actions read from the tracker (``user``, ``bot``, ``slot``, ``action``,
  ``session_started``) arrives in the shape rasa-sdk's ``Tracker`` reads, and a new session carries the slots.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.db import make_engine
from bot.launcher import Stack
from bot.settings import PROJECT_ROOT
from bot.store.models import HandoffCase
from tests.support.http import post_json
from tests.support.ports import free_port
from tests.support.stack import local_stack

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
SLOT_TYPES = {"text": (str, type(None)), "list": (list, type(None))}
# What the product's actions return (rasa_sdk.events): only SlotSet. A new event type in actions/ must be added
# here and to the conversation below, so that its round trip is checked too.
RETURNED_EVENT_TYPES = {"slot"}
# What the actions read from the tracker Rasa sends (actions/cases.py, actions/context.py, rasa-sdk's Tracker).
READ_EVENT_TYPES = {"user", "bot", "slot", "action", "session_started"}
RESPONSE_KEYS = {"events", "responses"}
SENDER = "web-contract"


@dataclass
class Call:
    """One action call as it crossed the wire."""

    request: dict[str, Any]
    status: int
    response: dict[str, Any]


@dataclass
class Recorder:
    """A loopback proxy in front of the action server that keeps every call Rasa makes."""

    upstream: str
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)

    def start(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = urllib.request.Request(
                    recorder.upstream + self.path, data=body, headers={"Content-Type": "application/json"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as reply:  # loopback only
                        status, answer = reply.status, reply.read()
                except urllib.error.HTTPError as error:
                    status, answer = error.code, error.read()
                recorder.calls.append(Call(json.loads(body), status, json.loads(answer or b"null") or {}))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Turn:
    message: str
    replies: list[dict[str, Any]]
    calls: list[Call]


@dataclass
class Run:
    turns: list[Turn]
    calls: list[Call]
    database_url: str


def _button(replies: list[dict[str, Any]], title: str) -> str:
    return next(str(b["payload"]) for r in replies for b in r.get("buttons", []) if b["title"] == title)


def _clause_button(replies: list[dict[str, Any]]) -> str:
    """The first button showing a clause's text: 查看原文, or a step card's 第N步原文."""
    return next(
        str(b["payload"]) for r in replies for b in r.get("buttons", []) if b["payload"].startswith("/show_clause")
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root: Path = tmp_path_factory.mktemp("contract")
    config = local_stack(root)
    recorder = Recorder(config.action_url).start()
    actions, rasa = Stack(config), Stack(dataclasses.replace(config, action_port=recorder.port))
    try:
        actions.start_actions()
        rasa.start_rasa()
        actions.wait_ready(timeout=120)
        rasa.wait_ready(timeout=300)
        turns: list[Turn] = []

        def say(message: str) -> list[dict[str, Any]]:
            before = len(recorder.calls)
            reply = post_json(config.webhook_url, {"sender": SENDER, "message": message})
            assert reply.status == 200, reply
            turns.append(Turn(message, reply.json(), recorder.calls[before:]))
            return turns[-1].replies

        say("你好")  # action_greet
        say("你能做什么")  # action_what_can_you_do
        say("你们有哪些地区的政策")  # action_list_regions
        asked = say("商标被人抢注了怎么办")  # action_answer: asks for the region (pending_question)
        answered = say(_button(asked, "广西壮族自治区"))  # action_answer: region, topic, last_refs, …
        say("什么时候完成？")  # action_deadlines
        say(_clause_button(answered))  # action_show_clause (structured payload)
        say("这个回答很有帮助")  # action_feedback
        say("贵州和云南在海外维权上有什么不同")  # action_compare_regions
        say("省商务厅负责哪些？")  # action_agency_duties
        say("你是机器人吗")  # action_smalltalk (a domain response)
        say("你们客服电话多少")  # action_service_info
        say("/session_start")  # Rasa's session start: the slots carried into the new session
        say("转人工")  # action_human_handoff: reads user, bot and slot events of both sessions
        yield Run(turns, list(recorder.calls), config.database_url)
    finally:
        rasa.stop()
        actions.stop()
        recorder.stop()


def test_every_domain_action_is_called_and_answers_the_rasa_3_6_format(run: Run) -> None:
    assert {call.request["next_action"] for call in run.calls} == set(DOMAIN["actions"])
    for call in run.calls:
        assert call.request["version"] == "3.6.21"
        assert {"tracker", "domain", "sender_id"} <= set(call.request)
        assert call.status == 200, (call.request["next_action"], call.response)
        assert set(call.response) == RESPONSE_KEYS, call.request["next_action"]


def test_every_turn_of_the_conversation_is_answered(run: Run) -> None:
    for turn in run.turns:
        if turn.message != "/session_start":  # Rasa answers a session start with no messages
            assert turn.replies, turn.message
            assert turn.calls, f"no action call for {turn.message!r}"


def test_returned_events_are_slot_sets_of_domain_slots_with_values_of_their_type(run: Run) -> None:
    set_slots = set()
    for call in run.calls:
        for event in call.response["events"]:
            assert event["event"] in RETURNED_EVENT_TYPES, event
            slot = DOMAIN["slots"][event["name"]]
            assert isinstance(event["value"], SLOT_TYPES[slot["type"]]), event
            set_slots.add(event["name"])
    assert set_slots == set(DOMAIN["slots"])


def _after(call: Call, following: Call) -> list[dict[str, Any]] | None:
    """The events Rasa logged for ``call``'s action, as the tracker of the call after it has them (None when a
    session start lies between: the tracker Rasa sends begins at the latest session start)."""
    events = following.request["tracker"]["events"]
    name = call.request["next_action"]
    starts = [i for i, e in enumerate(events) if e["event"] == "action" and e["name"] == name]
    if not starts:
        return None
    logged = []
    for event in events[starts[-1] + 1 :]:
        if event["event"] not in ("bot", "slot"):
            break
        logged.append(event)
    return logged


def _custom(message: dict[str, Any]) -> dict[str, Any] | None:
    """The ``custom`` a message shows the user: its own, or that of the domain response it names."""
    if message.get("response"):
        return dict(DOMAIN["responses"][message["response"]][0].get("custom") or {}) or None
    return message.get("custom") or None


def _last_values(calls: list[Call]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for call in calls:
        values.update((e["name"], e["value"]) for e in call.response["events"])
    return values


def test_what_an_action_returns_is_what_rasa_logs_for_it(run: Run) -> None:
    checked = 0
    for call, following in zip(run.calls, run.calls[1:], strict=False):
        logged = _after(call, following)
        if logged is None:
            continue
        checked += 1
        name = call.request["next_action"]
        returned = [(e["name"], e["value"]) for e in call.response["events"]]
        assert [(e["name"], e["value"]) for e in logged if e["event"] == "slot"] == returned, name
        sent = [_custom(r) for r in call.response["responses"]]
        assert [(e.get("data") or {}).get("custom") for e in logged if e["event"] == "bot"] == sent, name
        slots = following.request["tracker"]["slots"]
        assert all(slots[key] == value for key, value in _last_values(run.calls[: run.calls.index(call) + 1]).items())
    assert checked >= len(run.calls) - 2


def test_responses_reach_the_channel(run: Run) -> None:
    for turn in run.turns:
        for call in turn.calls:
            sent = call.response["responses"]
            customs = [_custom(r) for r in sent if _custom(r)]
            assert customs, call.request["next_action"]  # every reply says what kind of reply it is
            assert [r["custom"] for r in turn.replies if r.get("custom")][-len(customs) :] == customs
            texts = {r.get("text") for r in turn.replies}
            assert all(r["text"] in texts for r in sent if r.get("text")), call.request["next_action"]
            buttons = [b for reply in turn.replies for b in reply.get("buttons", [])]
            assert all(b in buttons for r in sent for b in r.get("buttons") or []), call.request["next_action"]


def test_a_domain_response_named_by_an_action_is_rendered_by_rasa(run: Run) -> None:
    turn = next(t for t in run.turns if t.message == "你是机器人吗")
    (call,) = turn.calls
    (named,) = [r["response"] for r in call.response["responses"] if r.get("response")]
    assert named == "utter_iamabot"
    assert turn.replies[0]["text"] == DOMAIN["responses"]["utter_iamabot"][0]["text"]
    assert DOMAIN["responses"]["utter_iamabot"][0]["custom"] in [r.get("custom") for r in turn.replies]


def test_every_event_type_the_actions_read_arrives_and_rasa_sdk_reads_it(run: Run) -> None:
    seen = {e["event"] for call in run.calls for e in call.request["tracker"]["events"]}
    assert seen >= READ_EVENT_TYPES
    for call in run.calls:
        tracker = Tracker.from_dict(call.request["tracker"])
        assert tracker.sender_id == SENDER
        assert tracker.latest_message.get("text")
        assert tracker.get_slot("region") == call.request["tracker"]["slots"]["region"]
        assert tracker.events == call.request["tracker"]["events"]


def test_a_new_session_carries_the_slots_and_the_handoff_records_them(run: Run) -> None:
    (handoff,) = [c for c in run.calls if c.request["next_action"] == "action_human_handoff"]
    events = handoff.request["tracker"]["events"]
    assert "session_started" in [e["event"] for e in events[:3]]
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    before = _last_values(run.calls[: run.calls.index(handoff)])
    assert carried == before
    engine = make_engine(run.database_url)
    try:
        with Session(engine) as session:
            case = session.scalars(select(HandoffCase).where(HandoffCase.conversation_id == SENDER)).one()
        assert case.region == before["region"] and case.region
    finally:
        engine.dispose()
