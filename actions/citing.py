"""Turn a knowledge-base item into reply parts: the quote, the source, the agencies, the deadline.

Every value comes from the item; where the plan names no agency or deadline, the reply says so.
"""

from __future__ import annotations

from actions.replies import Replies
from bot.kb.numbering import display_number
from bot.kb.views import ClauseView, DocumentView, Item, TaskView


def region_label(replies: Replies, document: DocumentView) -> str:
    """贵州省（征求意见稿）, 山西省忻州市保德县（县级方案）…: how the plan is introduced."""
    notes = []
    if document.level == "county":
        notes.append("县级方案")
    if document.status != "已印发":
        notes.append(document.status)
    return document.region + (f"（{'，'.join(notes)}）" if notes else "")


def agency_parts(replies: Replies, item: Item) -> list[str]:
    if isinstance(item, TaskView):
        return [replies.text("utter_part_task_no_agency")]
    if not item.agencies:
        return [replies.text("utter_part_no_agency")]
    parts = []
    if item.leads:
        parts.append(replies.text("utter_part_lead", names="、".join(a.name for a in item.leads)))
    if item.responsible:
        parts.append(replies.text("utter_part_responsible", names="、".join(a.name for a in item.responsible)))
    return parts


def deadline_part(replies: Replies, item: Item) -> str:
    if item.deadline:
        return replies.text("utter_part_deadline", deadline=item.deadline)
    return ""


def item_heading(item: Item) -> str:
    if isinstance(item, ClauseView):
        return f"{display_number(item.ordinal)}“{item.title}”"
    return f"{item.label}"


def item_parts(replies: Replies, item: Item, quote: tuple[str, ...]) -> list[str]:
    """Answer (quoted sentence) → source → agencies → deadline, for one clause or task."""
    sentence = "".join(quote[:1]) or (item.body if isinstance(item, ClauseView) else item.text)
    return [
        replies.text("utter_part_quote", heading=item_heading(item), quote=sentence),
        replies.text("utter_part_source", citation=item.citation),
        *agency_parts(replies, item),
        deadline_part(replies, item),
    ]


def next_step_part(replies: Replies, item: Item) -> str:
    leads = [a.name for a in item.agencies if a.role == "lead"]
    if leads:
        return replies.text("utter_part_next_step_lead", label=item.label, lead="、".join(leads))
    return replies.text("utter_part_next_step_no_agency")


def show_payload(item: Item) -> str:
    """A button payload that asks for the item's full text (read back by ActionShowClause)."""
    short = item.document.region
    if isinstance(item, TaskView):
        return f"查看{short}推进计划第{item.number}项原文"
    return f"查看{short}第{item.ordinal}条原文"
