"""The next step of an answer carries how to reach the agency it names — from the service directory only.

The plans name agencies (省商务厅) but never how to reach them; the office publishes that (``bot.store.directory``).
An answer whose next step names a lead unit gets its phone, hours, address and website when the directory holds
them, and says plainly that the service has none for it when it does not: no number is ever made up. A service
without a directory (none configured yet) adds nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Protocol

from bot.answers.model import AgencyContact, Answer
from bot.answers.wording import Wording

MAX_AGENCIES = 2  # the next step names at most two lead units


def contact_targets(answer: Answer) -> tuple[str, list[str]] | None:
    """The plan and the lead units whose contacts the answer's next step needs (None when it names none)."""
    if answer.kind != "answer" or not answer.cited:
        return None
    item = answer.cited[0].item
    # a step card names the lead units of every step: those of its first steps are reached first
    items = [c.item for c in answer.cited] if answer.card is not None else [item]
    leads = list(dict.fromkeys(a.name for i in items for a in i.leads))[:MAX_AGENCIES]
    return (item.document.slug, leads) if leads else None


def with_contacts(
    answer: Answer, wording: Wording, directory: Mapping[str, AgencyContact], kept: bool = True
) -> Answer:
    """``answer`` with a contact line per lead unit its next step names (``directory``: those the service has).
    A service that keeps no directory at all (``kept`` False) adds nothing: a line per answer saying it has none
    would only lengthen every answer."""
    targets = contact_targets(answer)
    if targets is None or not kept:
        return answer
    lines, found = [], []
    for agency in targets[1]:
        contact = directory.get(agency)
        if contact is None:
            lines.append(wording.text("utter_contact_none", agency=agency))
            continue
        found.append(contact)
        lines.append(wording.text("utter_contact", agency=agency, details=details(contact, wording)))
    step = "\n".join([answer.next_step, *lines] if answer.next_step else lines)
    return dataclasses.replace(answer, next_step=step, contacts=tuple(found))


FIELD_WORDING = (
    ("phone", "utter_contact_phone"),
    ("hours", "utter_contact_hours"),
    ("address", "utter_contact_address"),
    ("website", "utter_contact_website"),
)


class Reachable(Protocol):
    """How to reach an agency: an answer's ``AgencyContact`` or a directory row (``bot.store.directory.Contact``)."""

    @property
    def phone(self) -> str | None: ...
    @property
    def hours(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def website(self) -> str | None: ...


def details(contact: Reachable, wording: Wording) -> str:
    """ "电话 …；办公时间 …；地址 …；网址 …": the one rendering of a contact (chat, channels, console)."""
    parts = [wording.text(name, value=value) for field, name in FIELD_WORDING if (value := getattr(contact, field))]
    return "；".join(parts)
