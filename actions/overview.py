"""Greeting, what the assistant can do, and the covered regions — all listing the plans from the knowledge base,
so a plan added later shows up without touching the wording."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.context import user_text
from actions.replies import button, send
from actions.resources import knowledge_base
from bot.answers.examples import EXAMPLES
from bot.answers.meant import capability_question, greeting_only
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase


def plan_rows(kb: KnowledgeBase, replies: Wording) -> list[str]:
    return [
        replies.text(
            "utter_plan_row",
            region=d.region,
            title=d.citation,
            level=d.level_label,
            status=d.status,
            dated=d.dated,
            clauses=d.clause_count,
        )
        for d in kb.documents
    ]


def suggestion_buttons() -> list[dict[str, str]]:
    return [button(s, s) for s in EXAMPLES]


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        if not greeting_only(user_text(tracker)):
            return await answer_turn(dispatcher, tracker, domain)
        regions = "、".join(d.region for d in kb.documents)
        send(
            dispatcher,
            [replies.text("utter_welcome", regions=regions), replies.text("utter_disclaimer")],
            suggestion_buttons(),
            kind="smalltalk",
        )
        return []


class ActionWhatCanYouDo(Action):
    def name(self) -> str:
        return "action_what_can_you_do"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        if not capability_question(user_text(tracker)):
            return await answer_turn(dispatcher, tracker, domain)
        topics = "、".join(t.name for t in list(kb.topics.values())[:12])
        send(
            dispatcher,
            [
                replies.text("utter_capabilities", topics=topics),
                replies.text("utter_plans_intro"),
                *plan_rows(kb, replies),
            ],
            suggestion_buttons(),
            kind="smalltalk",
        )
        return []


class ActionListRegions(Action):
    def name(self) -> str:
        return "action_list_regions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not capability_question(user_text(tracker)):
            return await answer_turn(dispatcher, tracker, domain)
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        county_notes = [
            replies.text("utter_plan_county_note", region=d.region, province=d.province)
            for d in kb.documents
            if d.level == "county"
        ]
        send(
            dispatcher,
            [replies.text("utter_plans_intro"), *plan_rows(kb, replies), *county_notes],
            [button(d.region, d.region) for d in kb.documents],
            kind="smalltalk",
        )
        return []
