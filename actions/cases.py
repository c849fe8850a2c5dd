"""After 转人工: what a conversation says about itself for the case (transcript, regions, topics, cited clauses),
"查询 IPR…" (a case's status and the operator's reply), a contact the user leaves, and when to offer 转人工
because answers did not help.

Detected in the answer path without intents of their own: a case number is unmistakable, and a contact is taken
only when the whole message is one and the conversation has an open case without a contact.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.context import KIND_SLOT, user_text
from actions.replies import button, send
from bot.answers.reading import user_regions
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.store.contact import parse_contact
from bot.store.records import CaseStatus, case_status, open_case_without_contact, set_contact
from bot.store.transcripts import transcript as conversation_transcript
from bot.text import sender_tag

log = logging.getLogger(__name__)

CASE_NUMBER = re.compile(r"IPR\s*(\d{8})\s*-?\s*(\d{5})", re.IGNORECASE)
# "查询 IPR…-00017 5678" / "…，后四位5678": the contact's last four, separated from the number, open the case from
# another tab or device (see bot.store.records.contact_ending).
PROOF = re.compile(
    r"^[\s,，:：;；]*(?:联系方式|手机|电话|微信|邮箱)?(?:号码?)?(?:的)?(?:后四位|尾号)?[是为:：\s]*([0-9A-Za-z_-]{4})\s*[。.]?\s*$"
)
HANDOFF = ("转人工", "/human_handoff")
UNHELPFUL_KINDS = ("limit", "not_covered")
BEIJING_OFFSET_HOURS = 8
STATE_WORDING = {
    "open": "utter_case_state_open",
    "replied": "utter_case_state_replied",
    "closed": "utter_case_state_closed",
}


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The current Rasa session as the user saw it (the console adds earlier sessions from the tracker store)."""
    return conversation_transcript(tracker.events)


def mentioned(tracker: Tracker, kb: KnowledgeBase) -> tuple[list[str], list[str], list[str]]:
    """Every region (Chinese name: the slot's, and any the user named) and topic (Chinese name, never its id) the
    conversation was about, and every clause the bot cited, in order of first mention."""
    regions: dict[str, None] = {}
    topics: dict[str, None] = {}
    refs: dict[str, None] = {}
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            # the user's own words: "我们在西藏拉萨" names the region even when no slot was ever set from it
            regions.update((m.division.name, None) for m in user_regions(kb, str(event["text"])))
        if event.get("event") == "slot" and event.get("value"):
            if event.get("name") == "region":
                regions[str(event["value"])] = None
            elif event.get("name") == "topic":
                topic = kb.topics.get(str(event["value"]))
                topics[topic.name if topic else str(event["value"])] = None
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict):
            refs.update((str(c["ref"]), None) for c in custom.get("citations") or [] if c.get("ref"))
    return list(regions), list(topics), list(refs)


def unhelpful_in_a_row(tracker: Tracker) -> int:
    """How many of the last answers did not help: a limit or refusal, or an answer the user marked 没用."""
    outcomes: list[bool] = []  # True = did not help
    for event in tracker.events:
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and custom.get("kind") in ("answer", *UNHELPFUL_KINDS):
                outcomes.append(custom["kind"] != "answer")
        elif event.get("event") == "user" and outcomes:
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == "feedback_bad":
                outcomes[-1] = True
    count = 0
    for unhelpful in reversed(outcomes):
        if not unhelpful:
            break
        count += 1
    return count


async def case_turn(
    dispatcher: CollectingDispatcher, tracker: Tracker, wording: Wording, engine: Any
) -> list[EventType] | None:
    """Answer "查询 IPR…" or take a contact for the open case; None when the message is neither. The records are
    read and written off the event loop: a slow database holds up this conversation only."""
    text = user_text(tracker)
    found = CASE_NUMBER.search(text)
    try:
        if found and len(text) <= 60:
            number = f"IPR{found.group(1)}-{found.group(2)}"
            proof = PROOF.match(text[found.end() :])
            status = await asyncio.to_thread(
                case_status, engine, number, tracker.sender_id, proof.group(1) if proof else None
            )
            words = _status_text(wording, status, number, proof is not None)
            send(dispatcher, [words], kind="handoff", extra={"case": {"number": number}})
            return [SlotSet(KIND_SLOT, "handoff")]
        contact = parse_contact(text)
        if (
            contact is not None
            and await asyncio.to_thread(open_case_without_contact, engine, tracker.sender_id) is not None
        ):
            saved = await asyncio.to_thread(set_contact, engine, tracker.sender_id, contact)
            words = wording.text("utter_contact_saved", contact=contact.label, case_number=saved)
            send(dispatcher, [words], kind="handoff", extra={"case": {"number": saved, "contact": contact.kind}})
            return [SlotSet(KIND_SLOT, "handoff")]
    except SQLAlchemyError:
        log.exception("case records unavailable for %s", sender_tag(tracker.sender_id))
        send(dispatcher, [wording.text("utter_case_unavailable")], kind="handoff")
        return []
    return None


def _status_text(wording: Wording, status: CaseStatus | None, number: str, proved: bool) -> str:
    if status is None:
        if proved:  # the same words whether the number or its ending was wrong: a guess learns nothing
            return wording.text("utter_case_not_matched", case_number=number)
        return wording.text("utter_case_not_found", case_number=number)
    if not status.own:  # the reply is for the person who asked; anyone else learns only the state
        elsewhere = "utter_case_reply_elsewhere" if status.has_contact else "utter_case_reply_no_contact"
        return wording.text(STATE_WORDING[status.state], case_number=number) + wording.text(
            elsewhere, case_number=number
        )
    text = wording.text(STATE_WORDING[status.state], case_number=number)
    if status.reply:
        when = status.replied_at
        stamp = beijing_time(when) if when else ""
        text += wording.text("utter_case_reply", time=stamp, reply=status.reply)
    return text


def beijing_time(moment: datetime) -> str:
    zone = timezone(timedelta(hours=BEIJING_OFFSET_HOURS))
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def handoff_button() -> dict[str, str]:
    return button(*HANDOFF)
