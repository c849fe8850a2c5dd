"""The console's search lists only clauses holding the searched words, the best first, with the words to mark."""

from __future__ import annotations

from bot.kb.console_search import console_search
from bot.kb.query import KnowledgeBase


def test_insurance_lists_exactly_the_clauses_that_mention_insurance(kb: KnowledgeBase) -> None:
    found = console_search(kb, "保险")
    holding = [i.ref for i in kb.snapshot.items if any("保险" in s for s in i.text.split("。"))]
    assert sorted(f.item.ref for f in found) == sorted(holding) and "guizhou/17" in holding
    assert all("保险" in f.sentence and f.words == ("保险",) for f in found)


def test_a_region_in_the_query_limits_it_to_that_plan(kb: KnowledgeBase) -> None:
    assert [f.item.ref for f in console_search(kb, "贵州 保险")] == ["guizhou/17"]


def test_clauses_holding_more_of_the_words_come_first_and_a_common_word_alone_does_not_pad(kb: KnowledgeBase) -> None:
    found = console_search(kb, "展会 侵权")
    assert found[0].item.ref == "baode/10" and set(found[0].words) == {"展会", "侵权"}
    assert all("展会" in f.sentence for f in found)  # 侵权 alone is in most clauses: not what was asked
    asked = console_search(kb, "知识产权保险怎么办理")
    assert [f.item.ref for f in asked][:2] == ["guangxi/14", "yunnan/task-60"]
    assert all("保险" in f.sentence for f in asked[:6])


def test_nothing_held_is_an_empty_list_not_the_nearest_clauses(kb: KnowledgeBase) -> None:
    evidence = console_search(kb, "电子存证")
    assert evidence and all("存证" in f.sentence for f in evidence)
    assert console_search(kb, "火星移民") == []


def test_typed_queries_leave_nothing_behind_in_the_shared_index(kb: KnowledgeBase) -> None:
    """Any text an operator types is ranked without being kept: a stream of different queries cannot grow memory."""
    before = dict(kb.sentences._group_idf)  # the registry's cached specificities, nothing else
    for number in range(50):
        console_search(kb, f"展会{number} 保险 侵权{number}号 电子存证")
    assert kb.sentences._group_idf == before
