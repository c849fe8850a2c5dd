"""Human handoff: store a case (conversation, region, topic, the user's words, time) for the staff console and
give the user its number. No phone number or promise of a call-back time is made: the plans give none."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.context import REGION_SLOT, TOPIC_SLOT, recent_user_texts
from actions.replies import send
from actions.resources import records_engine
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
        try:
            receipt = open_case(
                records_engine(),
                tracker.sender_id,
                recent_user_texts(tracker),
                tracker.get_slot(REGION_SLOT),
                tracker.get_slot(TOPIC_SLOT),
                channel=channel,
            )
        except SQLAlchemyError:
            log.exception("could not store a handoff case for %s", sender_tag(tracker.sender_id))
            send(dispatcher, [replies.text("utter_handoff_failed")], kind="handoff")
            return []
        send(dispatcher, [replies.text("utter_handoff_done", case_number=receipt.case_number)], kind="handoff")
        return []
