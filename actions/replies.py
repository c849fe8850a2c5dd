"""Reply wording comes from ``domain.yml`` responses; actions fill the variables and assemble the parts.

Rasa sends the domain (with its responses) in every action request, so wording is edited in one place without
touching code. Messages are plain text (no HTML, no Markdown) and at most ``MESSAGE_LIMIT`` characters: longer
answers are split between parts, never inside a quoted sentence unless that sentence alone is too long.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

MESSAGE_LIMIT = 400


class Replies:
    def __init__(self, domain: Mapping[str, Any]) -> None:
        self._responses: Mapping[str, Any] = domain.get("responses") or {}

    def text(self, name: str, **values: object) -> str:
        """The first variant of a response with its ``{variables}`` filled; a missing variable is a bug (KeyError)."""
        variants = self._responses.get(name)
        if not variants:
            raise KeyError(f"response {name} is not in domain.yml")
        return str(variants[0]["text"]).format_map(dict(values))


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


def send(
    dispatcher: CollectingDispatcher,
    parts: Iterable[str],
    buttons: list[dict[str, str]] | None = None,
    citations: list[dict[str, str]] | None = None,
) -> None:
    """Send the parts as one or more messages; buttons go with the last one. Citations (refs of the clauses the
    answer quotes) travel as custom data: the web page offers a 查看原文 view, text-only channels ignore them."""
    messages = compose(parts)
    for index, message in enumerate(messages):
        last = index == len(messages) - 1
        dispatcher.utter_message(text=message, buttons=(buttons or []) if last else [])
    if citations:
        dispatcher.utter_message(json_message={"citations": citations})


def citation(ref: str, region: str, label: str) -> dict[str, str]:
    return {"ref": ref, "title": f"{region} {label}"}


def button(title: str, payload: str) -> dict[str, str]:
    return {"title": title[:40], "payload": payload[:200]}
