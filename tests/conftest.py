"""Shared fixtures: a knowledge base built from the real seeds into a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb.db import make_engine
from bot.kb.load import build
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import Settings


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    path = tmp_path_factory.mktemp("kb") / "kb.sqlite3"
    settings = Settings(database_url=f"sqlite:///{path}")
    engine = make_engine(settings.database_url)
    build(engine, settings)
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def kb(kb_settings: Settings) -> KnowledgeBase:
    return open_knowledge_base(kb_settings)


@pytest.fixture()
def fresh_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings with an empty database of their own, for tests that build or break it."""
    yield Settings(database_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}")
