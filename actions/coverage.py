"""What to say when a region has no plan: the honest answer, 转人工, and one button per covered plan."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.replies import button, send
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase


def region_buttons(kb: KnowledgeBase, exclude: set[str] | None = None) -> list[dict[str, str]]:
    """One button per covered plan; the payload is the region's name, which the NLU reads as a follow-up."""
    return [button(d.region, d.region) for d in kb.documents if d.slug not in (exclude or set())]


def reply_not_covered(dispatcher: CollectingDispatcher, replies: Wording, kb: KnowledgeBase, region: str) -> None:
    send(
        dispatcher,
        [replies.text("utter_region_not_covered", region=region, covered=kb.covered_regions_text())],
        [button("转人工", "/human_handoff"), *region_buttons(kb)],
        kind="not_covered",
    )
