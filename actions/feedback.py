"""Feedback on the last answer, stored with the clauses that answer cited."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.answer import answer_turn
from actions.cases import handoff_button, unhelpful_in_a_row
from actions.context import KIND_SLOT, LAST_QUESTION_SLOT, REFS_SLOT, intent_name, user_text
from actions.replies import send
from actions.resources import records_engine
from bot.answers.meant import feedback_meant
from bot.answers.wording import Wording
from bot.review import inbox
from bot.store.records import record_feedback
from bot.text import sender_tag

log = logging.getLogger(__name__)


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        replies = Wording.from_domain(domain)
        positive = intent_name(tracker) == "feedback_good"
        refs = [str(r) for r in (tracker.get_slot(REFS_SLOT) or [])]
        after_answer = tracker.get_slot(KIND_SLOT) in ("answer", "limit")
        if not feedback_meant(user_text(tracker), after_answer):
            return await answer_turn(dispatcher, tracker, domain)
        try:
            # the question the rated answer answered (a button's payload says nothing to the operator who reads it)
            question = tracker.get_slot(LAST_QUESTION_SLOT) or user_text(tracker)
            await asyncio.to_thread(record_feedback, records_engine(), tracker.sender_id, positive, refs, str(question))
            if not positive:  # the inbox can show the messages whose answer did not help
                await asyncio.to_thread(inbox.mark_negative, records_engine(), tracker.sender_id)
        except SQLAlchemyError:
            log.exception("could not store feedback for %s", sender_tag(tracker.sender_id))
        if positive:
            send(dispatcher, [replies.text("utter_feedback_thanks")], kind="feedback")
        else:  # 转人工 is offered at once; after a second answer in a row that did not help, it is the suggestion
            again = unhelpful_in_a_row(tracker) >= 2
            words = replies.text("utter_handoff_suggest" if again else "utter_feedback_sorry")
            send(dispatcher, [words], [handoff_button()], kind="feedback")
        return []
