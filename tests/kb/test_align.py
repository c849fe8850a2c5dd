"""Clause alignment on content: renumbered, split, merged, added and removed clauses, rewritten sentences and a
changed deadline, on ten-line plans parsed by the real parser and cut by the real tokenizer."""

from __future__ import annotations

import pytest

from bot.kb.align import ClauseChange, align
from bot.kb.load import clause_texts
from bot.kb.parse import parse_plan
from bot.settings import Settings
from bot.text import ChineseTokenizer

OLD = """某县强化知识产权保护实施方案
（一）加强海外知识产权维权援助。建立海外维权专家库，为出口企业提供海外维权援助和预警服务。组织企业参加海外维权培训，提升应对海外纠纷能力。（完成时限：2022年。责任单位：县商务局、县市场监管局）
（二）推进知识产权质押融资。扩大知识产权质押融资规模，建立质押融资风险补偿机制。推动银行机构开发知识产权金融产品。（完成时限：2022年。责任单位：县金融办）
（三）加强展会知识产权保护。制定展会知识产权保护指引，在展会设立知识产权投诉站。（完成时限：2021年。责任单位：县商务局）
（四）加强电商平台监管。督促电商平台建立侵权投诉处理机制，及时删除侵权商品链接。（完成时限：2021年。责任单位：县市场监管局）
（五）加强地理标志保护。开展地理标志产品专项整治，规范地理标志专用标志使用。（完成时限：2022年。责任单位：县市场监管局、县农业农村局）
（六）加强宣传培训。每年开展知识产权宣传周活动，组织企业知识产权培训。（完成时限：长期坚持。责任单位：县委宣传部）
"""

NEW = """某县强化知识产权保护实施方案
（一）加强海外知识产权维权援助。建立海外维权专家库，为出口企业提供海外维权援助和预警服务。（完成时限：2023年。责任单位：县商务局、县市场监管局）
（二）开展海外维权培训。组织企业参加海外维权培训，提升应对海外纠纷能力。（完成时限：2023年。责任单位：县商务局）
（三）推进知识产权质押融资。扩大知识产权质押融资规模，建立健全质押融资风险补偿和分担机制。推动银行机构开发知识产权金融产品。（完成时限：2022年。责任单位：县金融办）
（四）加强展会和电商平台知识产权保护。制定展会知识产权保护指引，在展会设立知识产权投诉站。督促电商平台建立侵权投诉处理机制，及时删除侵权商品链接。（完成时限：2021年。责任单位：县商务局、县市场监管局）
（五）加强宣传培训。每年开展知识产权宣传周活动，组织企业知识产权培训。（完成时限：长期坚持。责任单位：县委宣传部）
（六）建立知识产权保护工作站。在产业园区设立知识产权保护工作站，就近受理企业维权求助。（完成时限：2022年。责任单位：县市场监管局）
"""


@pytest.fixture(scope="module")
def changes() -> dict[str, list[ClauseChange]]:
    tokenizer = ChineseTokenizer(Settings().dict_dir)
    old, _ = clause_texts(parse_plan(OLD), "plan@1")
    new, _ = clause_texts(parse_plan(NEW), "plan")
    found: dict[str, list[ClauseChange]] = {}
    for change in align(old, new, tokenizer.terms):
        found.setdefault(change.kind, []).append(change)
    return found


def test_a_clause_split_in_two(changes: dict[str, list[ClauseChange]]) -> None:
    (split,) = changes["split"]
    assert split.old_refs == ("plan@1/1",) and split.new_refs == ("plan/1", "plan/2")
    assert split.deadline_before == "2022年" and split.deadline_after == "2023年"


def test_two_clauses_merged_into_one_with_both_agencies(changes: dict[str, list[ClauseChange]]) -> None:
    (merged,) = changes["merged"]
    assert merged.old_refs == ("plan@1/3", "plan@1/4") and merged.new_refs == ("plan/4",)
    # Each old clause had one of the two units; the merged one names both: nothing gained, nothing lost.
    assert merged.agencies_after == (("县商务局", "responsible"), ("县市场监管局", "responsible"))
    assert not merged.agencies_changed and not merged.sentences_added
    # The bodies of both are kept word for word; only the two headings became one.
    assert merged.sentences_removed == ("加强电商平台监管。",)
    assert merged.sentences_modified == (("加强展会知识产权保护。", "加强展会和电商平台知识产权保护。"),)


def test_a_rewritten_sentence_is_modified_not_removed_and_added(changes: dict[str, list[ClauseChange]]) -> None:
    (changed,) = changes["changed"]
    assert changed.old_refs == ("plan@1/2",) and changed.new_refs == ("plan/3",) and changed.renumbered
    assert changed.sentences_modified == (
        (
            "扩大知识产权质押融资规模，建立质押融资风险补偿机制。",
            "扩大知识产权质押融资规模，建立健全质押融资风险补偿和分担机制。",
        ),
    )
    assert not changed.sentences_removed and not changed.sentences_added and not changed.agencies_changed


def test_removed_added_and_renumbered(changes: dict[str, list[ClauseChange]]) -> None:
    assert [c.old_refs for c in changes["removed"]] == [("plan@1/5",)]
    assert changes["removed"][0].agencies_before == (("县市场监管局", "responsible"), ("县农业农村局", "responsible"))
    assert [c.new_refs for c in changes["added"]] == [("plan/6",)]
    (moved,) = changes["unchanged"]
    assert (moved.old_refs, moved.new_refs, moved.renumbered) == (("plan@1/6",), ("plan/5",), True)


def test_every_clause_is_accounted_for_once(changes: dict[str, list[ClauseChange]]) -> None:
    olds = [r for kind in changes.values() for c in kind for r in c.old_refs]
    news = [r for kind in changes.values() for c in kind for r in c.new_refs]
    assert sorted(olds) == [f"plan@1/{n}" for n in range(1, 7)]
    assert sorted(news) == [f"plan/{n}" for n in range(1, 7)]
