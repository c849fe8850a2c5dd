"""Compare regions on a topic: for each plan, its best clause and lead agency (or that it names none)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.context import REFS_SLOT, TOPIC_SLOT, user_text
from actions.coverage import reply_not_covered
from actions.replies import button, send
from actions.resources import knowledge_base
from bot.answers.meant import comparison_meant
from bot.answers.wording import Wording
from bot.kb.errors import QueryError, RegionNotCovered
from bot.kb.numbering import display_number
from bot.kb.query import KnowledgeBase, Scored
from bot.kb.topics import topics_asked
from bot.kb.views import ClauseView, DocumentView

SEARCH_DEPTH = 30  # ranked clauses of a plan looked through for one tagged with the compared topic


class ActionCompareRegions(Action):
    def name(self) -> str:
        return "action_compare_regions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        text = user_text(tracker)
        if not comparison_meant(text, len(kb.gazetteer.find_all(text))):
            return await answer_turn(dispatcher, tracker, domain)
        asked = topics_asked(text, kb.topics.values())
        topic_id = asked[0][0] if asked else tracker.get_slot(TOPIC_SLOT)
        if not topic_id or topic_id not in kb.topics:
            send(dispatcher, [replies.text("utter_compare_which_topic")], kind="clarify")
            return []
        topic = kb.topics[topic_id]
        try:
            scopes = kb.scopes_in(text)
        except RegionNotCovered as error:
            reply_not_covered(dispatcher, replies, kb, error.region)
            return [SlotSet(TOPIC_SLOT, topic_id)]
        documents = [d for s in scopes for d in s.documents] if len(scopes) >= 2 else list(kb.documents)

        parts = [replies.text("utter_compare_intro", topic=topic.name)]
        refs = []
        # the clauses the one ranker puts first for these words (the text's, or the topic's when it came from an
        # earlier turn); the topic's tag decides whether a plan has one, as it decides the topic itself
        query = text if asked else f"{topic.name} {topic.description}"
        for document in documents:
            hit = _best_clause(kb, query, topic_id, document)
            if hit is None:
                parts.append(replies.text("utter_compare_none", region=document.region))
                continue
            item = hit.item
            refs.append(item.ref)
            leads = "、".join(a.name for a in item.leads)
            units = (
                replies.text("utter_compare_lead", lead=leads)
                if leads
                else replies.text("utter_compare_no_lead")
                if isinstance(item, ClauseView) and not item.agencies
                else replies.text("utter_compare_responsible_only")
                if isinstance(item, ClauseView)
                else ""
            )
            label = f"{display_number(item.ordinal)}“{item.title}”" if isinstance(item, ClauseView) else item.label
            deadline = replies.text("utter_compare_deadline", deadline=item.deadline) if item.deadline else ""
            parts.append(
                replies.text("utter_compare_row", region=document.region, label=label, units=units, deadline=deadline)
            )
        parts.append(replies.text("utter_disclaimer"))
        buttons = [button(f"看{d.region}详情", f"那{d.region}呢") for d in documents[:5]]
        send(dispatcher, parts, buttons, kind="answer", topic=topic_id)
        return [SlotSet(TOPIC_SLOT, topic_id), SlotSet(REFS_SLOT, refs)]


def _best_clause(kb: KnowledgeBase, query: str, topic_id: str, document: DocumentView) -> Scored | None:
    """The plan's clause for the compared topic: the first the one ranker gives that is tagged with it, else the
    most strongly tagged one; None when the plan has none."""
    try:
        ranked = kb.search(query, region=document.province, limit=SEARCH_DEPTH)
    except QueryError:  # a text too long to search: the tags alone decide
        ranked = []
    tagged = [h for h in ranked if topic_id in h.item.topics]
    hits = tagged or kb.by_topic(topic_id, document.province, limit=1)
    return next((h for h in hits if h.item.document.slug == document.slug), None)
