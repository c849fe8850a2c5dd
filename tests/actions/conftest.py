"""Run actions in-process: a real rasa-sdk Tracker and dispatcher, the real domain and knowledge base."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return dict(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")))


@pytest.fixture(autouse=True)
def action_resources(kb_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", kb_settings.database_url)
    for cached in (resources.settings, resources.knowledge_base, resources.records_engine):
        cached.cache_clear()
    yield
    for cached in (resources.settings, resources.records_engine):
        cached.cache_clear()


def tracker(text: str, intent: str, slots: dict[str, Any] | None = None, sender: str = "unit") -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    events = [{"event": "user", "text": text, "parse_data": message}]
    return Tracker(sender, slots or {}, message, events, False, None, None, "action_listen")


async def run(
    action: Action, domain: dict[str, Any], text: str, intent: str, slots: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(text, intent, slots), domain)
    set_slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, set_slots
