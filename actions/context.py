"""What the current turn is about: the user's text, the region it names (through the gazetteer), the topic.

Regions are resolved from the message text, not only from NLU entities, so an uncovered region (浙江, 杭州) is
recognised and a plan added later needs no retraining. The region and topic slots carry them across turns.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from bot.kb.errors import RegionNotCovered
from bot.kb.query import KnowledgeBase, RegionScope

REGION_SLOT = "region"
TOPIC_SLOT = "topic"
REFS_SLOT = "last_refs"


@dataclass(frozen=True)
class RegionOutcome:
    scope: RegionScope | None  # covered region (named now or remembered)
    uncovered: str | None  # a real region with no plan, named in this message
    named_now: bool


def user_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def intent_name(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def region_outcome(kb: KnowledgeBase, tracker: Tracker) -> RegionOutcome:
    text = user_text(tracker)
    mentions = kb.gazetteer.find_all(text)
    if not mentions:
        # The NLU may have found a region the gazetteer's context rules skip (a bare "黔" inside a phrase).
        entity = next(
            (e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "region"), None
        )
        if entity:
            mentions = kb.gazetteer.find_all(str(entity))
    if mentions:
        try:
            return RegionOutcome(kb.scope_for(mentions[0]), None, True)
        except RegionNotCovered as error:
            return RegionOutcome(None, error.region, True)
    remembered = tracker.get_slot(REGION_SLOT)
    if remembered:
        try:
            return RegionOutcome(kb.scope(str(remembered)), None, False)
        except (RegionNotCovered, ValueError):
            pass
    return RegionOutcome(None, None, False)


def recent_user_texts(tracker: Tracker, count: int = 5) -> list[str]:
    texts = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return texts[-count:]
