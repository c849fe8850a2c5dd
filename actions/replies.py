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
) -> None:
    """Send the parts as one or more messages; buttons go with the last one; the contract closes the reply."""
    messages = compose(parts)
    for index, message in enumerate(messages):
        last = index == len(messages) - 1
        dispatcher.utter_message(text=message, buttons=(buttons or []) if last else [])
    dispatcher.utter_message(
        json_message={"kind": kind, "region": region, "topic": topic, "citations": citations or []}
    )


def send_answer(dispatcher: CollectingDispatcher, answer: Answer, wording: Wording) -> None:
    for message in chat_messages(answer, wording):
        dispatcher.utter_message(text=message.text, buttons=[button(b.title, b.payload) for b in message.buttons])
    dispatcher.utter_message(json_message={**answer.contract(), "answer": structured(answer, wording)})


def citation(ref: str, region: str, label: str) -> dict[str, str]:
    return {"ref": ref, "title": f"{region} {label.split(' ')[0]}"}


def button(title: str, payload: str) -> dict[str, str]:
    return {"title": title[:40], "payload": payload[:200]}
