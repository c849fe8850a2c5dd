"""An answer in the user's terms: the step card of the situation the question describes, or, for any other answer,
the step written on the sentence it quotes leading its verdict.

Runs after ``compose.answer`` (which decides what the plans say) and reads only what it read: the need, the side,
the subjects and the region. A card is shown only for one region's plan — where to go depends on where the user
is — and every step of it, and every verdict it leads, is a step of ``data/steps/`` (reviewed data, never written
here). A step the plan is silent on is said, in its place.
"""

from __future__ import annotations

import dataclasses

from bot.answers.compose import plan_label, show_payload
from bot.answers.limits import HANDOFF
from bot.answers.model import Answer, Button, Card, CardStep, Cited
from bot.answers.render import nested_quotes
from bot.answers.steps import Step, StepBook, without_stop
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase

CARDED_KINDS = ("answer", "limit")  # an accused party's limit ("how to defend is not written") gets the card too


def in_users_terms(kb: KnowledgeBase, book: StepBook, wording: Wording, answer: Answer) -> Answer:
    """The answer as its situation's step card, else led by the step its quoted sentence holds, else unchanged."""
    carded = _as_card(kb, book, wording, answer)
    if carded is not None:
        return carded
    return _led_by_step(kb, book, wording, answer)


def _as_card(kb: KnowledgeBase, book: StepBook, wording: Wording, answer: Answer) -> Answer | None:
    if answer.kind not in CARDED_KINDS or answer.region is None or answer.need is None:
        return None
    situation = book.card(answer.need, answer.side, answer.subjects, answer.region)
    if situation is None:
        return None
    steps = situation.steps[answer.region]
    named = [s for s in steps if s.kind in situation.asked(answer.subjects)]  # the steps of what the user named
    unwritten = named[0] if named and not any(s.written for s in named) else None
    if unwritten is not None and answer.cited and answer.cited[0].item.document.slug != answer.region:
        # what the user named (质押融资 in 云南) is a step the plan is silent on, and the answer says so and which
        # plans do write it: that is the answer, not a card leading with another step
        return None
    read = (answer.need, *answer.subjects)
    card = Card(
        situation.id,
        situation.name,
        tuple(_card_step(kb, book, number, step) for number, step in enumerate(steps, start=1)),
    )
    lead = situation.leading(read, steps)
    if lead is None:  # the plan is silent on every step: the answer as it was says more
        return None
    led = card.steps[steps.index(lead)]
    document = next(d for d in kb.documents if d.slug == answer.region)
    summary = " → ".join(
        s.label if s.do else wording.text("utter_card_summary_silent", label=s.label) for s in card.steps
    )
    summed = wording.text("utter_card_summary", region=plan_label(document), count=len(card.steps), summary=summary)
    step = wording.text("utter_card_verdict", do=without_stop(str(led.do)), cite=_title(led))
    quote = wording.text("utter_part_quote", quote=nested_quotes(str(lead.sentence)), cite=_title(led))
    # a limit stays one: what the plans cannot decide (how to defend a suit) is said first, then what they offer;
    # the step the verdict leads with is quoted under it (the other steps' sentences are a button away). What the
    # user named and the plan is silent on (商标恶意注册 in 保德) is said first, then what the plan does offer.
    notes: tuple[str, ...]
    if answer.kind == "limit":
        verdict, notes = answer.verdict, (step, quote, summed)
    elif unwritten is not None:
        verdict, notes = str(unwritten.silent), (summed,)
    else:
        verdict, notes = step, (quote, summed)
    return dataclasses.replace(
        answer,
        verdict=verdict,
        cited=_cited(card, led),
        notes=notes,
        next_step=wording.text("utter_card_next"),
        buttons=(*_step_buttons(card), HANDOFF),
        advice=True,
        record_unanswered=False,
        card=card,
    )


def _card_step(kb: KnowledgeBase, book: StepBook, number: int, step: Step) -> CardStep:
    label = book.kinds[step.kind]
    if not step.written:
        return CardStep(number, step.kind, label, silent=step.silent)
    item = kb.by_ref(str(step.ref))
    return CardStep(number, step.kind, label, do=step.do, cited=Cited(item, (str(step.sentence),)))


def _cited(card: Card, led: CardStep) -> tuple[Cited, ...]:
    """The card's clauses, once each, with every sentence its steps rest on: the verdict's first (as in every
    answer, the first citation is what the verdict rests on), then in step order."""
    by_ref: dict[str, Cited] = {}
    for step in (led, *card.steps):
        if step.cited is None:
            continue
        ref = step.cited.item.ref
        known = by_ref.get(ref)
        sentences = step.cited.sentences if known is None else (*known.sentences, *step.cited.sentences)
        by_ref[ref] = Cited(step.cited.item, tuple(dict.fromkeys(sentences)))
    return tuple(by_ref.values())


def _step_buttons(card: Card) -> tuple[Button, ...]:
    """查看原文 per step: one button per clause, naming the steps that rest on it (第3、4步原文)."""
    numbers: dict[str, list[int]] = {}
    payloads: dict[str, str] = {}
    for step in card.steps:
        if step.cited is not None:
            numbers.setdefault(step.cited.item.ref, []).append(step.number)
            payloads[step.cited.item.ref] = show_payload(step.cited)
    return tuple(Button(f"第{'、'.join(str(n) for n in steps)}步原文", payloads[ref]) for ref, steps in numbers.items())


def _led_by_step(kb: KnowledgeBase, book: StepBook, wording: Wording, answer: Answer) -> Answer:
    """An answer quoting a sentence that a step rests on, and that holds what the question is about (a 展会 answer
    quoting a clause's sentence on websites too is not led by the website step), leads with what the user can do
    there."""
    if answer.kind != "answer" or not answer.cited or answer.card is not None or answer.subject is None:
        return answer
    if answer.need is None or not book.serves(answer.need):  # "找谁": the agency answers it, first
        return answer
    first = answer.cited[0]
    if answer.region is not None and first.item.document.slug != answer.region:
        return answer  # the user's plan lacks it ("云南省的方案没有写到…"): another region's step would mislead
    subject = kb.subjects[answer.subject]
    relevant = tuple(s for s in first.sentences if subject.plan_words & set(kb.sentences.words(s)))
    fitting = book.fitting(answer.need, answer.side, answer.subjects)
    step = book.resting_on(first.item.ref, relevant, subject.words, fitting)
    if step is None:
        return answer
    lead = wording.text("utter_card_verdict", do=without_stop(str(step.do)), cite=first.short_title)
    return dataclasses.replace(answer, verdict=lead + answer.verdict)


def _title(step: CardStep) -> str:
    return step.cited.short_title if step.cited is not None else ""
