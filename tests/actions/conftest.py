"""Run actions in-process: a real rasa-sdk Tracker and dispatcher, the real domain and knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
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


@pytest.fixture()
def own_records(
    action_resources: None, kb_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A copy of the knowledge-base database per test: the cases, feedback, contacts and audit rows a test makes
    meet no other test."""
    database = tmp_path / "records.sqlite3"
    shutil.copyfile(kb_settings.database_url.removeprefix("sqlite:///"), database)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    for cached in (resources.settings, resources.knowledge_base, resources.records_engine):
        cached.cache_clear()
    yield
    resources.records_engine().dispose()
    for cached in (resources.settings, resources.knowledge_base, resources.records_engine):
        cached.cache_clear()


def parse_data(text: str, intent: str, side: str | None = None, also: tuple[str, ...] = ()) -> dict[str, Any]:
    """Rasa's parse data as the action server receives it: the intent, its ranking (``also``: needs the model
    ranked next) and the side classifier's reading."""
    ranking = [{"name": intent, "confidence": 0.9}, *({"name": n, "confidence": 0.05} for n in also)]
    message: dict[str, Any] = {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []}
    if side:
        message["side"] = {"name": side, "confidence": 0.9}
    return message


def tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    sender: str = "unit",
    side: str | None = None,
    also: tuple[str, ...] = (),
) -> Tracker:
    message = parse_data(text, intent, side, also)
    events = [{"event": "user", "text": text, "parse_data": message}]
    return Tracker(sender, slots or {}, message, events, False, None, None, "action_listen")


async def run(
    action: Action,
    domain: dict[str, Any],
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    side: str | None = None,
    also: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(text, intent, slots, side=side, also=also), domain)
    set_slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, set_slots
