"""The full text of a cited clause or task: the one a 查看原文 button names (``/show_clause{"ref": "guizhou/17"}``),
the one typed ("查看贵州第17条原文"), or the last one cited ("看原文")."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.citing import agency_parts, deadline_part
from actions.context import REFS_SLOT, user_text
from actions.replies import citation, send
from actions.resources import knowledge_base
from bot.answers.meant import show_clause_meant
from bot.answers.wording import Wording
from bot.kb.errors import QueryError
from bot.kb.query import KnowledgeBase
from bot.kb.views import Item

_TASK = re.compile(r"(?:推进计划|任务)\D{0,3}?(\d{1,3}|[一二三四五六七八九十]{1,4})")
_CLAUSE = re.compile(r"第\s*(\d{1,3}|[一二三四五六七八九十]{1,4})\s*条")


def requested_item(kb: KnowledgeBase, text: str, last_refs: list[str], ref: str | None = None) -> Item | None:
    """The item a button names (``ref``), or a message (region + number), else the first one cited last."""
    if ref:
        return kb.by_ref(ref)
    mention = kb.gazetteer.resolve(text)
    task, clause = _TASK.search(text), _CLAUSE.search(text)
    if mention is not None and (task or clause):
        region = mention.division.name
        return kb.task(region, task.group(1)) if task else kb.clause(region, clause.group(1))  # type: ignore[union-attr]
    if last_refs:
        return kb.by_ref(last_refs[0])
    return None


def _named_ref(tracker: Tracker) -> str | None:
    """The ``ref`` entity of a 查看原文 button's payload, when the message is one."""
    value = next(tracker.get_latest_entity_values("ref"), None)
    return value if isinstance(value, str) else None


class ActionShowClause(Action):
    def name(self) -> str:
        return "action_show_clause"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not show_clause_meant(user_text(tracker)):
            return await answer_turn(dispatcher, tracker, domain)
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        try:
            last = [str(r) for r in tracker.get_slot(REFS_SLOT) or []]
            item = requested_item(kb, user_text(tracker), last, _named_ref(tracker))
        except QueryError as error:
            send(dispatcher, [error.message], kind="clarify")
            return []
        if item is None:
            send(dispatcher, [replies.text("utter_show_clause_need_context")], kind="clarify")
            return []
        send(
            dispatcher,
            [
                replies.text("utter_full_text", citation=item.citation, text=item.text),
                *agency_parts(replies, item),
                deadline_part(replies, item),
                replies.text("utter_disclaimer"),
            ],
            citations=[citation(item.ref, item.document.region, item.label)],
            kind="answer",
            region=item.document.slug,
        )
        return [SlotSet(REFS_SLOT, [item.ref])]
