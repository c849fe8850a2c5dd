"""Sending replies from an action: text messages, buttons on the last one, and the reply contract last.

Wording comes from ``domain.yml`` through ``bot.answers.wording`` (Rasa sends the domain with every action
request); splitting into messages of at most ``MESSAGE_LIMIT`` characters is ``bot.answers.render``'s. Every reply
ends with one message whose ``custom`` payload is the contract: ``kind``, ``region``, ``topic``, ``citations``.
"""

from __future__ import annotations

from collections.abc import Iterable

from rasa_sdk.executor import CollectingDispatcher

from bot.answers.model import Answer
from bot.answers.render import MESSAGE_LIMIT, chat_messages, compose, structured
from bot.answers.wording import Wording

__all__ = ["MESSAGE_LIMIT", "button", "citation", "compose", "send", "send_answer"]


def send(
    dispatcher: CollectingDispatcher,
    parts: Iterable[str],
    buttons: list[dict[str, str]] | None = None,
    citations: list[dict[str, str]] | None = None,
    *,
    kind: str,
    region: str | None = None,
    topic: str | None = None,
    extra: dict[str, object] | None = None,
) -> None:
    """Send the parts as one or more messages; buttons go with the last one; the contract closes the reply
    (``extra`` adds fields to it, e.g. a handoff's ``case``)."""
    messages = compose(parts)
    for index, message in enumerate(messages):
        last = index == len(messages) - 1
        dispatcher.utter_message(text=message, buttons=(buttons or []) if last else [])
    dispatcher.utter_message(
        json_message={"kind": kind, "region": region, "topic": topic, "citations": citations or [], **(extra or {})}
    )


FEEDBACK_BUTTONS = (("有用", "/feedback_good"), ("没用", "/feedback_bad"))


def send_answer(
    dispatcher: CollectingDispatcher,
    answer: Answer,
    wording: Wording,
    suggest: tuple[str, list[dict[str, str]]] | None = None,
) -> None:
    """The answer's messages, then ``suggest`` (a line with its buttons, e.g. offering 转人工), then the contract.
    An answer that cites clauses carries ``feedback``: the 有用 / 没用 buttons a page shows under it."""
    for message in chat_messages(answer, wording):
        dispatcher.utter_message(text=message.text, buttons=[button(b.title, b.payload) for b in message.buttons])
    if suggest is not None:
        dispatcher.utter_message(text=suggest[0], buttons=suggest[1])
    contract: dict[str, object] = {**answer.contract(), "answer": structured(answer, wording)}
    if answer.kind == "answer":
        contract["feedback"] = [button(title, payload) for title, payload in FEEDBACK_BUTTONS]
    dispatcher.utter_message(json_message=contract)


def citation(ref: str, region: str, label: str) -> dict[str, str]:
    return {"ref": ref, "title": f"{region} {label.split(' ')[0]}"}


def button(title: str, payload: str) -> dict[str, str]:
    return {"title": title[:40], "payload": payload[:200]}
