"""The service itself: "人工客服电话多少", "几点上班", "多久回复" — answered from the office's settings
(HOTLINE_NUMBER, SERVICE_HOURS, HANDOFF_RESPONSE_TIME), or plainly "not published", never from the plans and never
invented. A question about the field that the model read as one of these ("举报侵权打哪个电话") is answered from the
plans instead."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_turn
from actions.cases import case_turn, handoff_button
from actions.context import KIND_SLOT, intent_name, user_text
from actions.replies import send
from actions.resources import records_engine, settings
from bot.answers.meant import service_meant
from bot.answers.wording import Wording
from bot.settings import Settings


def service_parts(wording: Wording, intent: str, office: Settings) -> list[str]:
    """What the office published for this question, or that it published nothing; then how to reach a person."""
    if intent == "ask_service_hours":
        if office.service_hours:
            return [wording.text("utter_service_hours", hours=office.service_hours)]
        return [wording.text("utter_service_hours_unset")]
    if intent == "ask_response_time":
        if office.handoff_response_time:
            return [wording.text("utter_service_response_time", response_time=office.handoff_response_time)]
        return [wording.text("utter_service_response_time_unset")]
    parts = [
        wording.text("utter_service_hotline", hotline=office.hotline_number)
        if office.hotline_number
        else wording.text("utter_service_hotline_unset")
    ]
    if office.service_hours:
        parts.append(wording.text("utter_service_hours", hours=office.service_hours))
    return parts


class ActionServiceInfo(Action):
    def name(self) -> str:
        return "action_service_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        wording = Wording.from_domain(domain)
        handled = case_turn(dispatcher, tracker, wording, records_engine())  # "查询 IPR… 多久回复" is a lookup
        if handled is not None:
            return handled
        if not service_meant(user_text(tracker)):
            return await answer_turn(dispatcher, tracker, domain)
        office = settings()
        parts = [*service_parts(wording, intent_name(tracker), office), wording.text("utter_service_next")]
        service = {"hotline": office.hotline_number or None, "hours": office.service_hours or None}
        send(dispatcher, parts, [handoff_button()], kind="service", extra={"service": service})
        return [SlotSet(KIND_SLOT, "service")]
