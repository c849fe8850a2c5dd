"""Render a structured answer as chat text: verdict first, then the quoted basis, who, next step, the notice.

Messages are plain text (every channel shows them with textContent or as WeChat text) of at most
``MESSAGE_LIMIT`` characters, cut between parts, never inside a quoted sentence unless it alone is too long. The
buttons travel with the last text message; the reply contract (``Answer.contract``) is the reply's last message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.answers.model import Answer, Button, Card, CardStep, Cited
from bot.answers.steps import without_stop
from bot.answers.wording import Wording
from bot.kb.views import Item

MESSAGE_LIMIT = 400
MAX_RESPONSIBLE = 3  # more responsible units than this read as "等N个单位"


@dataclass(frozen=True)
class ChatMessage:
    text: str
    buttons: tuple[Button, ...] = ()


def answer_parts(answer: Answer, wording: Wording) -> list[str]:
    """The answer as ordered text parts (the CLI, the staff console and WeChat join them; chat splits them)."""
    parts = [answer.verdict, *answer.notes]
    if answer.card is not None:  # the steps, numbered; each one's quote is a button away (第N步原文)
        parts.extend(step_line(step, wording) for step in answer.card.steps)
    else:
        for cited in answer.cited:
            parts.extend(cited_parts(cited, wording))
    if answer.next_step:
        parts.append(answer.next_step)
    if answer.advice:
        parts.append(wording.text("utter_disclaimer"))
    return [p for p in parts if p]


def cited_parts(cited: Cited, wording: Wording) -> list[str]:
    item = cited.item
    quote = nested_quotes("".join(cited.sentences))
    parts = [wording.text("utter_part_quote", quote=quote, cite=cited.short_title)]
    if item.kind == "task":
        parts.append(wording.text("utter_part_task_no_agency"))
    elif not item.agencies:
        parts.append(wording.text("utter_part_no_agency"))
    else:
        parts.extend(unit_parts(item, wording))
    if item.deadline:
        parts.append(wording.text("utter_part_deadline", deadline=item.deadline))
    return parts


def unit_parts(item: Item, wording: Wording, most: int | None = MAX_RESPONSIBLE) -> list[str]:
    """ "牵头单位：…" and "责任单位：…" (the first ``most`` of them, then "等N个单位"; all when None)."""
    leads = [a.name for a in item.leads]
    responsible = [a.name for a in item.responsible]
    parts = []
    if leads:
        parts.append(wording.text("utter_part_lead", names="、".join(leads)))
    if responsible:
        shown = "、".join(responsible[:most])
        if most is not None and len(responsible) > most:
            shown = wording.text("utter_part_more_units", names=shown, count=len(responsible))
        parts.append(wording.text("utter_part_responsible", names=shown))
    return parts


def step_line(step: CardStep, wording: Wording) -> str:
    """ "1. 先保全证据：…（贵州省 第1条；牵头单位：省法院）", or what the plan does not say, in its place."""
    if step.cited is None:
        return wording.text("utter_card_step_silent", number=step.number, label=step.label, silent=step.silent)
    item = step.cited.item
    leads = [a.name for a in item.leads]
    responsible = [a.name for a in item.responsible][:MAX_RESPONSIBLE]
    units = (
        wording.text("utter_card_units_lead", names="、".join(leads))
        if leads
        else wording.text("utter_card_units_responsible", names="、".join(responsible))
        if responsible
        else wording.text("utter_card_units_none")
    )
    return wording.text(
        "utter_card_step", number=step.number, do=without_stop(str(step.do)), cite=step.cited.short_title, units=units
    )


def structured_card(card: Card) -> dict[str, object]:
    """The card as a page lays it out: each step with its clause, the quoted sentence and the units it names."""
    return {
        "situation": card.situation,
        "name": card.name,
        "steps": [
            {"number": s.number, "kind": s.kind, "label": s.label, "silent": s.silent}
            if s.cited is None
            else {
                "number": s.number,
                "kind": s.kind,
                "label": s.label,
                "do": s.do,
                "ref": s.cited.item.ref,
                "title": s.cited.short_title,
                "quote": nested_quotes("".join(s.cited.sentences)),
                "lead": [a.name for a in s.cited.item.leads],
                "responsible": [a.name for a in s.cited.item.responsible],
            }
            for s in card.steps
        ],
    }


def structured(answer: Answer, wording: Wording) -> dict[str, object]:
    """The answer as parts a page can lay out (verdict first, the basis folded): the ``answer`` field of the reply
    contract. Text-only channels use the text messages instead; both say the same."""
    return {
        "verdict": answer.verdict,
        "notes": list(answer.notes),
        "basis": [
            {
                "ref": cited.item.ref,
                "title": cited.short_title,
                "quote": nested_quotes("".join(cited.sentences)),
                "lead": [a.name for a in cited.item.leads],
                "responsible": [a.name for a in cited.item.responsible],
                "no_agency": wording.text(
                    "utter_part_no_agency" if cited.item.kind != "task" else "utter_part_task_no_agency"
                )
                if not cited.item.agencies
                else None,
                "deadline": cited.item.deadline,
            }
            for cited in answer.cited
        ],
        "next_step": answer.next_step,
        "notice": wording.text("utter_disclaimer") if answer.advice else None,
        **({"card": structured_card(answer.card)} if answer.card is not None else {}),
    }


def nested_quotes(text: str) -> str:
    """Quotes inside a 「」 quote read as ‘’ (the plans write “数博会”)."""
    return text.replace("“", "‘").replace("”", "’")


def chat_messages(answer: Answer, wording: Wording, limit: int = MESSAGE_LIMIT) -> list[ChatMessage]:
    texts = compose(answer_parts(answer, wording), limit)
    return [ChatMessage(text, answer.buttons if index == len(texts) - 1 else ()) for index, text in enumerate(texts)]


def plain_text(answer: Answer, wording: Wording) -> str:
    return "\n".join(answer_parts(answer, wording))


def compose(parts: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join parts with line breaks into as few messages as fit the limit."""
    messages: list[str] = []
    current = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        for piece in _split_long(part, limit):
            if current and len(current) + 1 + len(piece) > limit:
                messages.append(current)
                current = piece
            else:
                current = f"{current}\n{piece}" if current else piece
    if current:
        messages.append(current)
    return messages


def _split_long(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for sentence in text.replace("。", "。\u0000").split("\u0000"):
        while len(sentence) > limit:  # one sentence longer than a message: cut it, rarely needed
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current += sentence
    if current:
        pieces.append(current)
    return pieces
