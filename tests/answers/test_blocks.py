"""Copy-ready blocks (CLI, console search list) speak with the chat's wording: one home, domain.yml."""

from __future__ import annotations

import yaml

from bot.answers.blocks import agency_block, item_block
from bot.answers.model import Cited
from bot.answers.render import cited_parts
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.settings import PROJECT_ROOT


def test_a_clause_block_names_its_units_and_deadline_in_the_chats_own_lines(
    kb: KnowledgeBase, wording: Wording
) -> None:
    clause = kb.by_ref("guizhou/17")
    block = item_block(clause, wording, ("x",)).splitlines()
    chat = cited_parts(Cited(clause, ("x",)), wording)
    assert chat[1:] == ["牵头单位：省商务厅", "责任单位：贵州银保监局、省市场监管局"]
    assert block == [
        "【贵州省】第17条 加强海外知识产权维权援助服务",
        "原文摘录：“x”",
        *chat[1:],
        f"出处：{clause.citation}",
    ]
    many = item_block(kb.by_ref("baode/7"), wording)  # the chat shortens six units to "等6个单位"; a block lists all
    assert "等6个单位" not in many and len(many.split("责任单位：")[1].split("\n")[0].split("、")) == 6


def test_a_clause_without_units_says_so_and_a_task_gives_its_deadline(kb: KnowledgeBase, wording: Wording) -> None:
    block = item_block(kb.by_ref("yunnan/14"), wording, full_text=True)
    assert "单位：原文未列明牵头或责任单位。" in block and "原文：" in block
    assert "时限：2021年12月底前完成" in item_block(kb.task("云南", "57"), wording)


def test_the_wording_comes_from_the_domain_not_from_the_code(kb: KnowledgeBase, wording: Wording) -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    changed = Wording(
        {
            **domain["responses"],  # three of them reworded
            "utter_part_lead": [{"text": "主办：{names}"}],
            "utter_block_source": [{"text": "见{citation}"}],
            "utter_block_duties": [{"text": "{query}的任务："}],
        }
    )
    block = item_block(kb.by_ref("guizhou/17"), changed)
    assert "主办：省商务厅" in block and "牵头单位" not in block
    assert block.endswith("见《贵州省关于强化知识产权保护的实施意见（征求意见稿）》第17条（原文编号（十七））")
    assert agency_block(kb.by_agency("省商务厅"), changed).startswith("省商务厅的任务：")
