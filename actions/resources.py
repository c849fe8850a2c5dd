"""Lazily opened, process-wide resources of the action server: the knowledge base and the records database.

Opened on first use, not at import: the action server imports this package before it serves anything, and a
test can import an action without a database.
"""

from __future__ import annotations

import functools

from sqlalchemy import Engine

from bot.answers.needs import Need, load_needs
from bot.answers.steps import StepBook, load_steps
from bot.kb.db import make_engine
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import Settings
from bot.store.records import ensure_tables


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def knowledge_base() -> KnowledgeBase:
    return open_knowledge_base(settings())


@functools.cache
def need_table() -> dict[str, Need]:
    return load_needs(settings().needs_file)


@functools.cache
def step_book() -> StepBook:
    return load_steps(settings().steps_dir)


@functools.cache
def records_engine() -> Engine:
    engine = make_engine(settings().database_url)
    ensure_tables(engine)
    return engine
