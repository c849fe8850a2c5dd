"""Human handoff: open a case with the whole conversation (the user's words, the titles of buttons they clicked,
the bot's answers), every region and topic mentioned (Chinese names) and the clauses cited; give the user its
number, what happens next and when (the office's HANDOFF_RESPONSE_TIME and SERVICE_HOURS; without them, that no time
is promised); ask for an optional contact with a one-line consent and privacy notice."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.cases import mentioned, transcript
from actions.context import KIND_SLOT, REGION_SLOT, TOPIC_SLOT, recent_user_texts, reply_address
from actions.replies import send
from actions.resources import knowledge_base, records_engine, settings
from bot.answers.wording import Wording
from bot.store.records import open_case
from bot.text import sender_tag

log = logging.getLogger(__name__)


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        replies = Wording.from_domain(domain)
        channel = str(tracker.get_latest_input_channel() or "web")
        regions, topics, refs = mentioned(tracker, knowledge_base())
        try:
            receipt = await asyncio.to_thread(
                open_case,
                records_engine(),
                tracker.sender_id,
                recent_user_texts(tracker),
                tracker.get_slot(REGION_SLOT),
                tracker.get_slot(TOPIC_SLOT),  # the id, as the report counts it; ``topics`` has the names
                channel=channel,
                transcript=transcript(tracker),
                regions=regions,
                topics=topics,
                refs=refs,
                reply_to=reply_address(tracker),
            )
        except SQLAlchemyError:
            log.exception("could not store a handoff case for %s", sender_tag(tracker.sender_id))
            send(dispatcher, [replies.text("utter_handoff_failed")], kind="handoff")
            return []
        office = settings()
        parts = [
            replies.text("utter_handoff_done", case_number=receipt.case_number),
            promise(replies, office.handoff_response_time, office.service_hours),
            replies.text("utter_handoff_contact", days=office.retention_days),
        ]
        case = {
            "number": receipt.case_number,
            "contact_requested": True,
            "response_time": office.handoff_response_time or None,
        }
        send(dispatcher, parts, kind="handoff", extra={"case": case})
        return [SlotSet(KIND_SLOT, "handoff")]


def promise(replies: Wording, response_time: str, hours: str) -> str:
    """The response time the office promises (and its hours), or that it promises none: never a time of our own."""
    if not response_time:
        return replies.text("utter_handoff_no_promise")
    if hours:
        return replies.text("utter_handoff_promise", response_time=response_time, hours=hours)
    return replies.text("utter_handoff_promise_no_hours", response_time=response_time)
