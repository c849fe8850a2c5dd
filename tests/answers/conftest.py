"""Fixtures of the answer-engine tests: the wording (domain.yml) and the need table (data/needs.yml)."""

from __future__ import annotations

import pytest

from bot.answers.needs import Need, load_needs
from bot.answers.wording import Wording
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture(scope="session")
def wording() -> Wording:
    return Wording.load(PROJECT_ROOT / "domain.yml")


@pytest.fixture(scope="session")
def needs() -> dict[str, Need]:
    return load_needs(Settings().needs_file)
