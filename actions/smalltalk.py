"""Thanks, goodbye, yes, no, "are you a bot?": the domain's short replies — unless the message was a question that
only ends politely ("…是否需要缴纳印花税？谢谢！") or names a subject of the plans read as "yes" ("保险"), which is
answered as a question."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.cases import case_turn
from actions.context import intent_name, user_text
from actions.resources import knowledge_base, records_engine
from bot.answers.meant import smalltalk_meant
from bot.answers.reading import names_subject
from bot.answers.wording import Wording

RESPONSES = {
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "affirm": "utter_affirm",
    "deny": "utter_deny",
    "bot_challenge": "utter_iamabot",
}


class ActionSmalltalk(Action):
    def name(self) -> str:
        return "action_smalltalk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # a bare phone number after 转人工 reads as goodbye to the NLU; "查询 IPR…" is never small talk
        handled = await case_turn(dispatcher, tracker, Wording.from_domain(domain), records_engine())
        if handled is not None:
            return handled
        response = RESPONSES.get(intent_name(tracker))
        text = user_text(tracker)
        if response is None or not smalltalk_meant(text) or names_subject(knowledge_base(), text):
            return await answer_turn(dispatcher, tracker, domain)
        dispatcher.utter_message(response=response)
        return []
