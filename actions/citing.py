"""Reply parts for a whole clause or task (the full-text view): its agencies and its deadline.

Every value comes from the item; where the plan names no agency or deadline, the reply says so.
"""

from __future__ import annotations

from bot.answers.wording import Wording
from bot.kb.views import Item, TaskView


def agency_parts(replies: Wording, item: Item) -> list[str]:
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


def deadline_part(replies: Wording, item: Item) -> str:
    if item.deadline:
        return replies.text("utter_part_deadline", deadline=item.deadline)
    return ""
