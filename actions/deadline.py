"""Deadlines of what was just cited: 保德's 完成时限, 云南's work-plan tasks on the same topic, or a plain
statement that the plan sets none."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.context import REFS_SLOT, TOPIC_SLOT, user_text
from actions.replies import send
from actions.resources import knowledge_base
from bot.answers.meant import deadline_of_what_was_cited
from bot.answers.wording import Wording
from bot.kb.errors import NotFound
from bot.kb.views import ClauseView, TaskView

MAX_TASKS = 3


class ActionDeadlines(Action):
    def name(self) -> str:
        return "action_deadlines"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        if not deadline_of_what_was_cited(user_text(tracker)):
            return await answer_turn(dispatcher, tracker, domain)  # the question names its own subject
        refs = tracker.get_slot(REFS_SLOT) or []
        topic_id = tracker.get_slot(TOPIC_SLOT)
        if not refs:
            send(dispatcher, [replies.text("utter_deadline_need_context")], kind="clarify")
            return []
        parts = []
        for ref in refs:
            try:
                item = kb.by_ref(str(ref))
            except NotFound:
                continue
            if item.deadline:
                parts.append(
                    replies.text(
                        "utter_deadline_item", region=item.document.region, label=item.label, deadline=item.deadline
                    )
                )
                continue
            tasks = [t for t in kb.snapshot.tasks if t.document.slug == item.document.slug and topic_id in t.topics]
            if isinstance(item, ClauseView) and tasks:
                parts.append(
                    replies.text(
                        "utter_deadline_tasks_intro",
                        region=item.document.region,
                        label=item.label,
                        annex=item.document.annex_title,
                    )
                )
                parts.extend(task_row(replies, task) for task in tasks[:MAX_TASKS])
            else:
                parts.append(replies.text("utter_deadline_none", region=item.document.region, label=item.label))
        if not parts:
            parts.append(replies.text("utter_deadline_need_context"))
        parts.append(replies.text("utter_disclaimer"))
        send(dispatcher, parts, kind="answer")
        return []


def task_row(replies: Wording, task: TaskView) -> str:
    return replies.text(
        "utter_deadline_task", number=task.number, text=task.text, deadline=task.deadline or "原文未注明"
    )
