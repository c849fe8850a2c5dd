"""Shared fixtures: a knowledge base built from the real seeds into a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import Settings
from tests.support.stack import scratch_knowledge_base


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return scratch_knowledge_base(tmp_path_factory.mktemp("kb"))


@pytest.fixture(scope="session")
def kb(kb_settings: Settings) -> KnowledgeBase:
    return open_knowledge_base(kb_settings)


@pytest.fixture()
def fresh_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings with an empty database of their own, for tests that build or break it."""
    yield Settings(database_url=f"sqlite:///{tmp_path / 'kb.sqlite3'}")
