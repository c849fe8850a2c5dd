"""Assemble a ready ``KnowledgeBase`` from settings: engine, gazetteer, topics and the shared tokenizer."""

from __future__ import annotations

from bot.kb.db import make_engine
from bot.kb.query import KnowledgeBase
from bot.kb.regions import Gazetteer
from bot.kb.subjects import load_subjects
from bot.kb.topics import load_topics
from bot.settings import Settings
from bot.text import ChineseTokenizer


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """Open the built knowledge base; raises ``KnowledgeBaseUnavailable`` (with the fix) when it is not built."""
    engine = make_engine(settings.database_url)
    try:
        return KnowledgeBase.from_engine(
            engine,
            Gazetteer.load(settings.regions_file),
            ChineseTokenizer(settings.dict_dir),
            load_topics(settings.topics_file),
            load_subjects(settings.subjects_file),
        )
    finally:
        engine.dispose()  # the snapshot is in memory; no connection is kept open
