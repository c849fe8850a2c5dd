"""Low-confidence questions: the top clauses by retrieval, with citations and an offer to rephrase; the question
is recorded for staff. Plainly off-topic text (weather, poems) gets a polite redirect instead."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.citing import item_heading, show_payload
from actions.context import REFS_SLOT, REGION_SLOT, user_text
from actions.coverage import reply_not_covered
from actions.replies import Replies, button, citation, send
from actions.resources import knowledge_base, records_engine
from bot.kb.errors import QueryError, RegionNotCovered
from bot.kb.topics import topics_asked
from bot.store.records import record_unanswered

log = logging.getLogger(__name__)
MAX_SUGGESTIONS = 2
# Below this share of the best possible lexical match, a hit is noise rather than a suggestion.
MIN_SCORE = 0.35


class ActionRetrievalFallback(Action):
    def name(self) -> str:
        return "action_retrieval_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Replies(domain)
        text = user_text(tracker)
        region = tracker.get_slot(REGION_SLOT)
        try:
            named = kb.scopes_in(text)
            hits = kb.search(text, region=None if named else region, limit=MAX_SUGGESTIONS)
        except RegionNotCovered as error:
            reply_not_covered(dispatcher, replies, kb, error.region)
            return []
        except QueryError as error:
            send(dispatcher, [error.message])
            return []
        on_topic = bool(topics_asked(text, kb.topics.values()))
        hits = [h for h in hits if h.score >= MIN_SCORE] if on_topic else []
        try:
            record_unanswered(records_engine(), tracker.sender_id, text, region, [h.item.ref for h in hits])
        except SQLAlchemyError:
            log.exception("could not record an unanswered question")
        if not hits:
            send(dispatcher, [replies.text("utter_out_of_scope")], [button("能做什么", "/what_can_you_do")])
            return []
        parts = [replies.text("utter_fallback_intro")]
        for hit in hits:
            parts.append(
                replies.text(
                    "utter_fallback_row",
                    region=hit.item.document.region,
                    heading=item_heading(hit.item),
                    quote="".join(hit.quote[:1]),
                    citation=hit.item.citation,
                )
            )
        parts.append(replies.text("utter_fallback_rephrase"))
        parts.append(replies.text("utter_disclaimer"))
        send(
            dispatcher,
            parts,
            [button("查看原文", show_payload(hits[0].item)), button("转人工", "/human_handoff")],
            [citation(h.item.ref, h.item.document.region, h.item.label) for h in hits],
        )
        return [SlotSet(REFS_SLOT, [h.item.ref for h in hits])]
