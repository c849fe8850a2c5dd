"""The service itself: "人工客服电话多少", "几点上班", "多久回复" — answered from the office's settings
(HOTLINE_NUMBER, SERVICE_HOURS, HANDOFF_RESPONSE_TIME), or plainly "not published", never from the plans and never
invented. A question about the field that the model read as one of these ("举报侵权打哪个电话") is answered from the
plans instead, and one about an agency's number ("拉萨市场监管局电话多少") from the service directory: the plans name
agencies but never their numbers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.answer import answer_turn, directory_contacts
from actions.cases import case_turn, handoff_button
from actions.context import KIND_SLOT, intent_name, user_text
from actions.replies import send
from actions.resources import knowledge_base, records_engine, settings
from bot.answers.contacts import details
from bot.answers.meant import service_meant
from bot.answers.model import AgencyContact
from bot.answers.wording import Wording
from bot.kb.agencies import kinds_mentioned
from bot.kb.errors import QueryError
from bot.kb.query import KnowledgeBase
from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_AGENCIES_ASKED = 3  # "市场监管局电话多少" without a region names one per plan: the first three are enough


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


def agencies_asked(kb: KnowledgeBase, text: str) -> list[tuple[str, str]]:
    """The plans' agencies (plan slug, name as the plan writes it) that a contact question names: the name itself
    ("省商务厅"), or a kind in a region ("拉萨市场监管局" → 西藏's 自治区市场监管局)."""
    named = kb.agency_named_in(text)
    if named is None and not kinds_mentioned(text):
        return []
    try:
        report = kb.by_agency(named or text)
    except QueryError:
        return []
    duties = report.exact or report.related
    return list(dict.fromkeys((d.clause.document.slug, d.agency.name) for d in duties))[:MAX_AGENCIES_ASKED]


def agency_contact_parts(
    wording: Wording, asked: list[tuple[str, str]], directory: dict[tuple[str, str], AgencyContact]
) -> list[str]:
    """The plans give no numbers: what the service's directory holds for each agency asked, or that it holds none."""
    parts = [wording.text("utter_agency_contact_intro")]
    missing = []
    for plan, agency in asked:
        contact = directory.get((plan, agency))
        if contact is None:
            missing.append(agency)
        else:
            parts.append(wording.text("utter_contact", agency=agency, details=details(contact, wording)))
    if missing:
        parts.append(wording.text("utter_contact_none", agency="、".join(dict.fromkeys(missing))))
    return parts


def _directory(asked: list[tuple[str, str]]) -> dict[tuple[str, str], AgencyContact]:
    """The directory's entries of the agencies asked: one read per plan named."""
    by_plan: dict[str, list[str]] = {}
    for plan, agency in asked:
        by_plan.setdefault(plan, []).append(agency)
    found: dict[tuple[str, str], AgencyContact] = {}
    try:
        for plan, agencies in by_plan.items():
            contacts, _ = directory_contacts(plan, agencies)
            found.update({(plan, agency): contact for agency, contact in contacts.items()})
    except SQLAlchemyError:
        log.exception("service directory not readable: the reply says no contact is kept")
    return found


class ActionServiceInfo(Action):
    def name(self) -> str:
        return "action_service_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        wording = Wording.from_domain(domain)
        handled = await case_turn(dispatcher, tracker, wording, records_engine())  # "查询 IPR… 多久回复" is a lookup
        if handled is not None:
            return handled
        text = user_text(tracker)
        office = settings()
        service = {"hotline": office.hotline_number or None, "hours": office.service_hours or None}
        asked = agencies_asked(knowledge_base(), text) if intent_name(tracker) == "ask_hotline" else []
        if asked:
            directory = await asyncio.to_thread(_directory, asked)
            parts = [*agency_contact_parts(wording, asked, directory), wording.text("utter_service_next")]
            contacts = [asdict(c) for c in directory.values()]
            send(
                dispatcher, parts, [handoff_button()], kind="service", extra={"service": service, "contacts": contacts}
            )
            return [SlotSet(KIND_SLOT, "service")]
        if not service_meant(text):
            return await answer_turn(dispatcher, tracker, domain)
        parts = [*service_parts(wording, intent_name(tracker), office), wording.text("utter_service_next")]
        send(dispatcher, parts, [handoff_button()], kind="service", extra={"service": service})
        return [SlotSet(KIND_SLOT, "service")]
