"""Answer a topic question for a region: the best clause(s) with quote, source, agencies, deadline, next steps.

Also serves region follow-ups ("那西藏呢？"): the topic persists in its slot, the new region comes from the text.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.citing import item_parts, next_step_part, region_label, show_payload
from actions.context import REFS_SLOT, REGION_SLOT, TOPIC_SLOT, intent_name, region_outcome
from actions.coverage import region_buttons, reply_not_covered
from actions.replies import Replies, button, citation, send
from actions.resources import knowledge_base
from bot.kb.query import KnowledgeBase, RegionScope
from bot.kb.topics import Topic

MAX_ITEMS = 2  # a chat answer cites at most two passages; the rest is one button away


def short_region(scope: RegionScope) -> str:
    return "、".join(d.region for d in scope.documents)


class ActionAnswerTopic(Action):
    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Replies(domain)
        intent = intent_name(tracker)
        topic_id = intent if intent in kb.topics else tracker.get_slot(TOPIC_SLOT)
        region = region_outcome(kb, tracker)
        events: list[EventType] = []

        if region.uncovered:
            reply_not_covered(dispatcher, replies, kb, region.uncovered)
            return [SlotSet(TOPIC_SLOT, topic_id)] if topic_id else []

        if not topic_id or topic_id not in kb.topics:
            # A region alone, with no topic yet: remember it and ask what the problem is.
            if region.scope is not None:
                events.append(SlotSet(REGION_SLOT, region.scope.documents[0].province))
                send(
                    dispatcher,
                    [replies.text("utter_ask_topic", region=short_region(region.scope))],
                    topic_buttons(kb, region.scope),
                )
            else:
                send(dispatcher, [replies.text("utter_ask_topic_no_region")])
            return events

        topic = kb.topics[topic_id]
        events.append(SlotSet(TOPIC_SLOT, topic_id))
        if region.scope is None:
            send(
                dispatcher,
                [replies.text("utter_ask_region", topic=topic.name, covered=kb.covered_regions_text())],
                [*region_buttons(kb), button("各地对比", "/compare_regions")],
            )
            return events

        events.append(SlotSet(REGION_SLOT, region.scope.documents[0].province))
        hits = kb.by_topic(topic_id, region.scope.documents[0].province, limit=MAX_ITEMS)[:MAX_ITEMS]
        if not hits:
            others = [
                d.region
                for d in kb.documents
                if d.slug not in region.scope.slugs and kb.by_topic(topic_id, d.province, limit=1)
            ]
            send(
                dispatcher,
                [
                    replies.text(
                        "utter_topic_not_in_plan",
                        region=short_region(region.scope),
                        topic=topic.name,
                        others="、".join(others) or "无",
                    )
                ],
                region_buttons(kb, exclude=region.scope.slugs),
            )
            events.append(SlotSet(REFS_SLOT, []))
            return events

        document = hits[0].item.document
        parts = [replies.text("utter_topic_intro", topic=topic.name, region=region_label(replies, document))]
        for hit in hits:
            parts.extend(item_parts(replies, hit.item, hit.quote))
        parts.append(next_step_part(replies, hits[0].item))
        parts.append(replies.text("utter_disclaimer"))
        send(
            dispatcher,
            parts,
            answer_buttons(kb, topic, hits[0].item, region.scope),
            [citation(h.item.ref, h.item.document.region, h.item.label) for h in hits],
        )
        events.append(SlotSet(REFS_SLOT, [h.item.ref for h in hits]))
        return events


def topic_buttons(kb: KnowledgeBase, scope: RegionScope) -> list[dict[str, str]]:
    common = ["overseas_assistance", "report_counterfeit", "trademark_squatting", "ecommerce", "rights_assistance"]
    return [
        button(kb.topics[t].name, f"{scope.documents[0].region}{kb.topics[t].question}")
        for t in common
        if t in kb.topics
    ]


def answer_buttons(kb: KnowledgeBase, topic: Topic, item: Any, scope: RegionScope) -> list[dict[str, str]]:
    """Next steps: the full clause, this topic elsewhere, related topics of the same clause, a person."""
    buttons = [button("查看原文", show_payload(item))]
    other = next((d for d in kb.documents if d.slug not in scope.slugs), None)
    if other is not None:
        buttons.append(button(f"看看{other.region}", f"那{other.region}呢"))
    related = [t for t in item.topics if t != topic.id and t in kb.topics][:2]
    buttons.extend(button(kb.topics[t].name, f"{scope.documents[0].region}{kb.topics[t].question}") for t in related)
    buttons.append(button("转人工", "/human_handoff"))
    return buttons
