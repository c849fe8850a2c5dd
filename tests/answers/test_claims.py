"""Nothing said about a plan is false: every statement the engine can make about what the plans contain is checked
against a plain scan of every sentence of every plan, word by word.

The scan here is written without the engine's index: it splits each clause body and task into sentences and cuts
each with the project's tokenizer. Then (1) each claim the claims module can make, for every subject of the
registry and every plan, is compared with the scan; (2) questions on every subject, with every served need, with and
without each region, go through the whole engine, and every statement found in the reply text is compared too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.answers import claims
from bot.answers.compose import answer
from bot.answers.model import Conversation, Parse
from bot.answers.needs import Need
from bot.answers.render import plain_text
from bot.answers.wording import Wording
from bot.kb.parse import split_sentences
from bot.kb.query import KnowledgeBase
from bot.kb.subjects import Subject
from bot.kb.views import ClauseView
from bot.settings import Settings
from bot.text import ChineseTokenizer

REGIONS = {"guizhou": "贵州", "yunnan": "云南", "baode": "保德县", "xizang": "西藏", "guangxi": "广西"}


@pytest.fixture(scope="module")
def scan(kb: KnowledgeBase) -> dict[str, list[frozenset[str]]]:
    """Plan slug → the word set of each of its sentences, from the texts, not from the engine's index."""
    tokenizer = ChineseTokenizer(Settings().dict_dir)
    found: dict[str, list[frozenset[str]]] = {d.slug: [] for d in kb.documents}
    for item in kb.snapshot.items:
        text = item.body if isinstance(item, ClauseView) else item.text
        for sentence in split_sentences(text):
            found[item.document.slug].append(frozenset(tokenizer.words(sentence)))
    return found


def writes(scan: dict[str, list[frozenset[str]]], slug: str, subject: Subject) -> bool:
    return any(words & subject.plan_words for words in scan[slug])


def test_every_plan_word_of_the_registry_is_written_by_a_plan(
    kb: KnowledgeBase, scan: dict[str, list[frozenset[str]]]
) -> None:
    """A plan word no plan writes would make "no plan writes X" statements about nothing."""
    unwritten = [
        (subject.id, word)
        for subject in kb.subjects.values()
        for word in subject.plan_words
        if subject.id != "leadership" and not any(word in words for sentences in scan.values() for words in sentences)
    ]
    assert unwritten == []


def test_each_claim_agrees_with_a_plain_scan(
    kb: KnowledgeBase, scan: dict[str, list[frozenset[str]]], wording: Wording
) -> None:
    made = 0
    for subject in kb.subjects.values():
        expected = tuple(d for d in kb.documents if writes(scan, d.slug, subject))
        coverage = claims.coverage(kb, subject)
        if not expected:
            assert coverage is None, subject.id
            continue
        assert coverage is not None and coverage.plans == expected, subject.id
        assert coverage.kind == ("all" if len(expected) == len(kb.documents) else "some"), subject.id
        text = coverage.text(wording)
        if coverage.kind == "some":
            assert all(d.region in text for d in expected), text
            assert not any(d.region in text for d in kb.documents if d not in expected), text
        else:
            assert f"{len(kb.documents)}个地区" in text, text
        made += 1
        for document in kb.documents:
            lacking = claims.missing(kb, subject, document)
            assert (lacking is None) == writes(scan, document.slug, subject), (subject.id, document.slug)
            made += lacking is not None
    assert made > len(kb.subjects)


STATEMENT_ALL = re.compile(r"收录的(\d+)个地区的方案都写到了([^，。；（]+)")
STATEMENT_SOME = re.compile(r"只有(.+?)的方案写到了([^，。；（]+)")
STATEMENT_MISSING = re.compile(r"([^，。；：\n]+?)的方案没有写到([^，。；（]+)")
STATEMENT_BRIEF = re.compile(r"([^：、（]+)（(\d+)个地区的方案都写到）|([^：、（]+)（(.+?)的方案写到）")


def questions(kb: KnowledgeBase, needs: dict[str, Need]) -> Iterator[tuple[str, Parse, Conversation]]:
    """A question on each subject for each need, without a region and with each region named."""
    for subject in kb.subjects.values():
        word = sorted(subject.user_words or subject.plan_words)[0]
        for need in needs.values():
            for side in (None, "holder", "accused"):
                yield f"{word}的问题", Parse.of(need.id, side), Conversation()
            for region in REGIONS.values():
                yield f"{region}{word}的问题", Parse.of(need.id), Conversation()
            if not need.served:  # an unsure reading of a need the plans cannot serve: asked which one is meant
                yield word, Parse(need.id, 0.1, ((need.id, 0.1), ("affirm", 0.05))), Conversation()
        yield word, Parse("nlu_fallback", 0.15, (("nlu_fallback", 0.15), ("affirm", 0.3))), Conversation()  # no need


def test_every_statement_in_a_reply_is_true(
    kb: KnowledgeBase, needs: dict[str, Need], scan: dict[str, list[frozenset[str]]], wording: Wording
) -> None:
    by_name = {s.name: s for s in kb.subjects.values()}
    by_region = {d.region: d.slug for d in kb.documents}
    checked = 0
    for question, parse, state in questions(kb, needs):
        text = plain_text(answer(kb, needs, wording, question, parse, state), wording)
        for count, name in STATEMENT_ALL.findall(text):
            subject = by_name[name]
            assert int(count) == len(kb.documents) and all(writes(scan, slug, subject) for slug in scan), text
            checked += 1
        for regions, name in STATEMENT_SOME.findall(text):
            named = {by_region[r] for r in regions.split("、")}
            assert named == {slug for slug in scan if writes(scan, slug, by_name[name])}, text
            checked += 1
        for region, name in STATEMENT_MISSING.findall(text):
            assert not writes(scan, by_region[region.strip()], by_name[name]), text
            checked += 1
        for name_all, _count, name_some, regions in STATEMENT_BRIEF.findall(text):
            if name_all:
                assert all(writes(scan, slug, by_name[name_all]) for slug in scan), text
            else:
                named = {by_region[r] for r in regions.split("、")}
                assert named == {slug for slug in scan if writes(scan, slug, by_name[name_some])}, text
            checked += 1
    assert checked > 100
