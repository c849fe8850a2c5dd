"""An agency's duties: the clauses it leads or shares, and agencies of the same kind in other plans."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.context import REFS_SLOT, user_text
from actions.replies import send
from actions.resources import knowledge_base
from bot.answers.wording import Wording
from bot.kb.agencies import kinds_mentioned
from bot.kb.errors import QueryError

MAX_ROWS = 6


class ActionAgencyDuties(Action):
    def name(self) -> str:
        return "action_agency_duties"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kb = knowledge_base()
        replies = Wording.from_domain(domain)
        text = user_text(tracker)
        entity = next(
            (str(e.get("value")) for e in tracker.latest_message.get("entities", []) if e.get("entity") == "agency"),
            None,
        )
        if not (kb.agency_named_in(text) or entity or kinds_mentioned(text)):
            return await answer_turn(dispatcher, tracker, domain)  # no agency named: a question about a problem
        try:
            report = kb.by_agency(kb.agency_named_in(text) or entity or text)
        except QueryError as error:
            send(dispatcher, [error.message, replies.text("utter_agency_hint")], kind="clarify")
            return []
        parts = []
        if report.exact:
            name = report.exact[0].agency.name
            parts.append(replies.text("utter_agency_intro", agency=name, count=len(report.exact)))
            for duty in report.exact[:MAX_ROWS]:
                parts.append(
                    replies.text(
                        "utter_agency_row",
                        region=duty.clause.document.region,
                        label=duty.clause.label,
                        role=duty.agency.role_label,
                    )
                )
            if len(report.exact) > MAX_ROWS:
                parts.append(replies.text("utter_agency_more", count=len(report.exact) - MAX_ROWS))
        if report.related:
            kinds = "、".join(k.label for k in report.kinds)
            regions = sorted({d.clause.document.region for d in report.related})
            parts.append(
                replies.text("utter_agency_related", kinds=kinds, count=len(report.related), regions="、".join(regions))
            )
            if not report.exact:
                for duty in report.related[:MAX_ROWS]:
                    parts.append(
                        replies.text(
                            "utter_agency_related_row",
                            region=duty.clause.document.region,
                            agency=duty.agency.name,
                            label=duty.clause.label,
                            role=duty.agency.role_label,
                        )
                    )
        parts.append(replies.text("utter_disclaimer"))
        send(dispatcher, parts, kind="answer")
        refs = [d.clause.ref for d in (report.exact or report.related)[:MAX_ROWS]]
        return [SlotSet(REFS_SLOT, refs)]
