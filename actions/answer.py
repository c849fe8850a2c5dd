"""The answer to a question: a thin adapter from the tracker to ``bot.answers`` and back.

Serves every need intent, a region on its own (the answer to "which region?"), low-confidence and off-topic
messages, and conversational intents that were not meant (a question that begins with "您好"). The NLU model reads
the need and the side; ``bot.answers`` reads the subject and decides from the plans' evidence.
"""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.cases import UNHELPFUL_KINDS, case_turn, handoff_button, unhelpful_in_a_row
from actions.context import (
    KIND_SLOT,
    LAST_QUESTION_SLOT,
    NEED_SLOT,
    PENDING_SLOT,
    REFS_SLOT,
    REGION_SLOT,
    SIDE_SLOT,
    TOPIC_SLOT,
    parse_of,
    user_text,
)
from actions.replies import send_answer
from actions.resources import knowledge_base, need_table, records_engine, step_book
from bot.answers.cards import in_users_terms
from bot.answers.compose import answer
from bot.answers.contacts import contact_targets, with_contacts
from bot.answers.model import AgencyContact, Answer, Conversation
from bot.answers.render import plain_text
from bot.answers.wording import Wording
from bot.review import inbox
from bot.store.directory import contacts_for
from bot.store.records import record_unanswered
from bot.text import normalize

log = logging.getLogger(__name__)


async def answer_turn(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    kb = knowledge_base()
    wording = Wording.from_domain(domain)
    handled = await case_turn(dispatcher, tracker, wording, records_engine())  # "查询 IPR…", or a contact after 转人工
    if handled is not None:
        return handled
    text = user_text(tracker)
    state = Conversation(
        province=tracker.get_slot(REGION_SLOT),
        pending=tracker.get_slot(PENDING_SLOT),
        last_question=tracker.get_slot(LAST_QUESTION_SLOT),
        need=tracker.get_slot(NEED_SLOT),
        side=tracker.get_slot(SIDE_SLOT),
        topic=tracker.get_slot(TOPIC_SLOT),
    )
    parse = parse_of(tracker)
    decided = answer(kb, need_table(), wording, text, parse, state)
    reply = await reached(in_users_terms(kb, step_book(), wording, decided), wording)
    lookup = inbox.staff_lookup(tracker.sender_id)  # the console asking for an operator: nothing to keep
    if reply.record_unanswered and not lookup:
        try:
            await asyncio.to_thread(
                record_unanswered, records_engine(), tracker.sender_id, text, state.province, reply.refs
            )
        except SQLAlchemyError:
            log.exception("could not record an unanswered question")
    if asked_here(text, reply) and not lookup:
        review_later(tracker.sender_id, text, parse.intent, reply, wording)
    suggest = None
    if reply.kind in UNHELPFUL_KINDS and unhelpful_in_a_row(tracker) >= 1:  # this one is the second in a row
        suggest = (wording.text("utter_handoff_suggest"), [handoff_button()])
    send_answer(dispatcher, reply, wording, suggest=suggest)
    return slot_events(reply)


REVIEWED_KINDS = ("answer", "limit", "clarify", "ask_region", "not_covered")


def asked_here(text: str, reply: Answer) -> bool:
    """The message is a question the assistant read (not a region given for a waiting question, nor a button's
    intent payload): the review inbox wants what people typed."""
    return (
        reply.kind in REVIEWED_KINDS and not text.lstrip().startswith("/") and reply.question in (None, normalize(text))
    )


def review_later(conversation_id: str, text: str, intent: str | None, reply: Answer, wording: Wording) -> None:
    """Put the message, masked, in the staff's review inbox with the assistant's reading: in the background, off
    the event loop, so that the answer never waits for it (nor fails with it)."""
    message = inbox.Incoming(
        conversation_id=conversation_id,
        text=text,
        intent=reply.need or intent,  # out_of_scope, nlu_fallback …: the reviewer says what it was
        confidence=reply.confidence,
        side=reply.side,
        region=reply.province,
        subject=reply.subject,
        reply_kind=reply.kind,
        reply_text=plain_text(reply, wording),
        refs=tuple(reply.refs),
    )
    task = asyncio.create_task(asyncio.to_thread(inbox.record, records_engine(), message))
    _REVIEWS.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(_reviewed)


_REVIEWS: set[asyncio.Task[int | None]] = set()


def _reviewed(task: asyncio.Task[int | None]) -> None:
    _REVIEWS.discard(task)
    if not task.cancelled() and isinstance(task.exception(), SQLAlchemyError):
        log.error("could not put a message in the review inbox", exc_info=task.exception())


async def reached(reply: Answer, wording: Wording) -> Answer:
    """The answer with the contacts the service directory holds for the agencies its next step names."""
    targets = contact_targets(reply)
    if targets is None:
        return reply
    try:
        directory, kept = await asyncio.to_thread(directory_contacts, *targets)
    except SQLAlchemyError:
        log.exception("service directory not readable: the answer goes without contacts")
        return reply
    return with_contacts(reply, wording, directory, kept)


def directory_contacts(plan: str, agencies: list[str]) -> tuple[dict[str, AgencyContact], bool]:
    """The directory's contacts of these agencies of a plan, as the answers carry them, and whether the service
    keeps a directory at all."""
    found, kept = contacts_for(records_engine(), plan, agencies)
    return {name: AgencyContact(c.agency, c.phone, c.hours, c.address, c.website) for name, c in found.items()}, kept


def slot_events(reply: Answer) -> list[EventType]:
    """What the next turn needs: region, topic, refs shown, the question waiting for a region (with its need and
    side), the last question."""
    events: list[EventType] = [SlotSet(KIND_SLOT, reply.kind), SlotSet(PENDING_SLOT, reply.pending)]
    if reply.need:
        events += [SlotSet(NEED_SLOT, reply.need), SlotSet(SIDE_SLOT, reply.side)]
    if reply.province:
        events.append(SlotSet(REGION_SLOT, reply.province))
    if reply.topic:
        events.append(SlotSet(TOPIC_SLOT, reply.topic))
    if reply.kind in ("answer", "limit"):
        events.append(SlotSet(REFS_SLOT, reply.refs))
        events.append(SlotSet(LAST_QUESTION_SLOT, reply.question))
    return events


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await answer_turn(dispatcher, tracker, domain)
