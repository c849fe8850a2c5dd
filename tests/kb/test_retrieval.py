"""Retrieval quality floor on the question table shared with bench/retrieval.py (which reports the figures)."""

from __future__ import annotations

from collections import Counter

from bench.retrieval import evaluate, evaluate_answers, load_cases, summarize
from bot.answers.needs import load_needs
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.kb.topics import load_topics
from bot.settings import PROJECT_ROOT, Settings


def test_question_table_covers_every_topic_and_region() -> None:
    cases = load_cases()
    assert len(cases) >= 40
    topics = {t.id for t in load_topics(Settings().topics_file)}
    assert {c["topic"] for c in cases} == topics
    regions = Counter(ref.split("/")[0] for c in cases for ref in c["expected"][:1])
    assert set(regions) == {"guizhou", "yunnan", "baode", "xizang", "guangxi"}
    assert min(regions.values()) >= 7


def test_expected_clause_is_in_the_top_three_for_at_least_90_percent(kb: KnowledgeBase) -> None:
    summary = summarize(evaluate(kb, load_cases()))
    assert summary["recall_at_3"] >= 0.9, summary["misses_at_3"]
    assert summary["recall_at_1"] >= 0.75, summary


def test_every_expected_ref_exists(kb: KnowledgeBase) -> None:
    for case in load_cases():
        for ref in case["expected"]:
            assert kb.by_ref(ref).ref == ref


def test_answers_cite_the_expected_clause_for_at_least_90_percent(kb: KnowledgeBase) -> None:
    """The answer engine on the same table: what an answer cites first, the region's plan first."""
    needs = load_needs(Settings().needs_file)
    summary = summarize(evaluate_answers(kb, needs, Wording.load(PROJECT_ROOT / "domain.yml"), load_cases()))
    assert summary["recall_at_3"] >= 0.9, summary["misses_at_3"]
    assert summary["recall_at_1"] >= 0.85, summary
