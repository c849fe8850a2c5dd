"""Replies as plain text, for the platforms whose passive reply is one text message (公众号, 企业微信): the answer
and its sources, buttons as numbered options, a long answer cut into parts that "继续" shows one by one."""

from __future__ import annotations

from bot.gateway.channels.base import Notice, Outcome, numbered, option
from bot.gateway.channels.wording import MORE
from bot.gateway.wechat.sessions import UserState


def render(outcome: Outcome, state: UserState, limit: int) -> str:
    """The first part (at most ``limit`` characters, "继续" for the rest); sets the user's options and parts."""
    if isinstance(outcome, Notice):
        return outcome.text + (MORE if outcome.part and state.pending else "")
    text = outcome.plain()
    if outcome.buttons:
        text += "\n\n" + numbered(outcome.buttons)
    state.options = [option(b.title, b.payload) for b in outcome.buttons]
    parts = split(text, limit)
    state.pending = parts[1:]
    return first_with_more(parts)


def split(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut at line ends where possible."""
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def first_with_more(parts: list[str]) -> str:
    return parts[0] + (MORE if len(parts) > 1 else "")
