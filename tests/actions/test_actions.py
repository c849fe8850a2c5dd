"""Actions in-process: replies carry the plan's facts, slots carry the conversation, bad input is handled."""

from __future__ import annotations

from typing import Any

import pytest

from actions.agency import ActionAgencyDuties
from actions.answer_topic import ActionAnswerTopic
from actions.compare import ActionCompareRegions
from actions.deadline import ActionDeadlines
from actions.fallback import ActionRetrievalFallback
from actions.replies import MESSAGE_LIMIT, compose
from actions.show_clause import ActionShowClause
from tests.actions.conftest import run


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


async def test_answer_topic_cites_guizhou_17_and_sets_slots(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswerTopic(), domain, "贵州企业海外维权找谁", "overseas_assistance")
    reply = texts(messages)
    assert "第17条“加强海外知识产权维权援助服务”" in reply and "牵头单位：省商务厅" in reply
    assert "（仅供参考，不构成法律意见）" in reply
    assert slots == {"topic": "overseas_assistance", "region": "贵州省", "last_refs": ["guizhou/17", "guizhou/16"]}
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert titles[0] == "查看原文" and "转人工" in titles


async def test_follow_up_uses_the_topic_slot(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswerTopic(), domain, "那西藏呢？", "inform", {"topic": "overseas_assistance"})
    assert "西藏自治区" in texts(messages) and slots["region"] == "西藏自治区"
    assert slots["last_refs"][0] == "xizang/12"


async def test_region_alone_without_topic_asks_for_the_problem(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswerTopic(), domain, "我们是南宁的企业", "inform")
    assert "广西壮族自治区" in texts(messages) and slots == {"region": "广西壮族自治区"}


async def test_uncovered_region_keeps_the_topic_and_offers_covered_regions(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswerTopic(), domain, "浙江的企业海外维权找谁", "overseas_assistance")
    assert "暂未收录浙江省" in texts(messages) and slots == {"topic": "overseas_assistance"}
    assert len(messages[-1]["buttons"]) == 5


async def test_topic_absent_from_a_plan_says_so(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswerTopic(), domain, "西藏的国际合作", "international_cooperation")
    assert "没有找到关于“国际合作交流”的条款" in texts(messages)


async def test_compare_regions_from_text(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionCompareRegions(), domain, "贵州和云南在海外维权上有什么不同", "compare_regions")
    reply = texts(messages)
    assert "· 贵州省：第17条" in reply and "· 云南省：第14条" in reply and "广西" not in reply
    assert slots["last_refs"] == ["guizhou/17", "yunnan/14"]


async def test_agency_named_in_a_question(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAgencyDuties(), domain, "县司法局要做哪些事", "agency_duties")
    reply = texts(messages)
    assert "“县司法局”在收录的方案中承担" in reply and "第7条" in reply


async def test_deadlines_of_cited_items(domain: dict[str, Any]) -> None:
    messages, _ = await run(
        ActionDeadlines(),
        domain,
        "什么时候完成",
        "ask_deadline",
        {"last_refs": ["baode/7", "guizhou/17"], "topic": "mediation_arbitration"},
    )
    reply = texts(messages)
    assert "第7条 健全社会共治多元化解决纠纷机制：完成时限为“2022年”" in reply
    assert "贵州省 第17条 加强海外知识产权维权援助服务：原文未规定完成时限" in reply


async def test_show_clause_by_region_and_number(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionShowClause(), domain, "查看西藏第十七条原文", "show_clause")
    assert "50万元" in texts(messages) and slots == {"last_refs": ["xizang/17"]}


async def test_fallback_suggests_cited_clauses(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionRetrievalFallback(), domain, "驰名商标一次性奖励50万元是哪里的", "nlu_fallback")
    assert "西藏自治区" in texts(messages) and slots["last_refs"][0] == "xizang/17"


async def test_fallback_on_gibberish_redirects(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionRetrievalFallback(), domain, "asdf qwer", "nlu_fallback")
    assert "超出了我的范围" in texts(messages) and slots == {}


@pytest.mark.parametrize("text", ["", "假" * 5000, "<b>海外维权</b>"])
async def test_bad_text_never_raises(domain: dict[str, Any], text: str) -> None:
    for action, intent in (
        (ActionAnswerTopic(), "overseas_assistance"),
        (ActionRetrievalFallback(), "nlu_fallback"),
        (ActionShowClause(), "show_clause"),
        (ActionAgencyDuties(), "agency_duties"),
    ):
        messages, _ = await run(action, domain, text, intent)
        assert messages and all(len(str(m.get("text") or "")) <= MESSAGE_LIMIT for m in messages)


def test_compose_splits_long_answers_between_parts() -> None:
    parts = ["甲" * 300, "乙" * 300, "丙。" * 300]
    messages = compose(parts)
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert "".join(messages).replace("\n", "") == "".join(parts)
