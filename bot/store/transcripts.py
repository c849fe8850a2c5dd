"""A conversation as the user saw it, from Rasa's events (dicts as Rasa serialises them, in the tracker and in
the tracker store's ``data`` column): their words, the title of a button they clicked (never its payload), and
the bot's messages (the reply contract, which has no text, is left out). The gateway's ``/session_start`` (a new
Rasa session every few dozen messages) is no one's words and is left out too.

Read from the tracker store, the user's words are as they typed them: they are cleaned here as every stored record
is (``bot.store.text``: NFKC, no bidi overrides, zero-width characters or floods of combining marks), so the
console's transcript shows what the case's own record would (issue 20 N8)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.store.text import as_written, clean_for_storage

SESSION_START_INTENT = "session_start"  # Rasa's built-in intent, sent by the gateway (bot/gateway/rasa_client.py)


def transcript(events: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    offered: dict[str, str] = {}
    for event in events:
        if event.get("event") == "bot":
            data = event.get("data") or {}
            for b in data.get("buttons") or []:
                offered[str(b.get("payload", ""))] = str(b.get("title", ""))
            if event.get("text") and (said := as_written(str(event["text"]))):
                turns.append({"who": "bot", "text": said})
        elif event.get("event") == "user" and event.get("text"):
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent == SESSION_START_INTENT:
                continue
            text = str(event["text"])
            cleaned = clean_for_storage(offered.get(text, text))
            if cleaned:
                turns.append({"who": "user", "text": cleaned})
            offered = {}
    return turns
