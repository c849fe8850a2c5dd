"""Actions in-process: replies carry the plan's facts, slots carry the conversation, bad input is handled."""

from __future__ import annotations

from typing import Any

import pytest

from actions.agency import ActionAgencyDuties
from actions.answer import ActionAnswer
from actions.compare import ActionCompareRegions
from actions.deadline import ActionDeadlines
from actions.feedback import ActionFeedback
from actions.overview import ActionGreet
from actions.replies import MESSAGE_LIMIT, compose
from actions.show_clause import ActionShowClause
from actions.smalltalk import ActionSmalltalk
from bot.answers.model import KINDS
from tests.actions.conftest import run


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def contract(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The reply contract: the custom payload of the reply's last message."""
    custom = messages[-1].get("custom")
    assert isinstance(custom, dict), messages[-1]
    return custom


async def test_question_with_region_cites_guizhou_17_and_sets_slots(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswer(), domain, "贵州企业海外维权找谁", "find_agency")
    reply = texts(messages)
    assert reply.startswith("贵州省（征求意见稿）的方案对此有规定（贵州省 第17条），牵头单位是省商务厅")
    assert "牵头单位：省商务厅" in reply and "（仅供参考，不构成法律意见）" in reply
    custom = contract(messages)
    assert {k: custom[k] for k in ("kind", "region", "topic", "citations")} == {
        "kind": "answer",
        "region": "guizhou",
        "topic": "overseas_assistance",
        "citations": [{"ref": "guizhou/17", "title": "贵州省 第17条"}, {"ref": "guizhou/16", "title": "贵州省 第16条"}],
    }
    structured = custom["answer"]  # the same answer in parts, for a page that folds the basis
    assert structured["verdict"] == reply.split("\n")[0] and structured["notice"] == "（仅供参考，不构成法律意见）"
    assert structured["basis"][0]["ref"] == "guizhou/17" and structured["basis"][0]["lead"] == ["省商务厅"]
    assert structured["basis"][0]["responsible"] == ["贵州银保监局", "省市场监管局"]
    assert slots["region"] == "贵州省" and slots["last_refs"] == ["guizhou/17", "guizhou/16"]
    assert slots["last_question"] == "贵州企业海外维权找谁" and slots["pending_question"] is None
    assert slots["need"] == "find_agency"
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert titles[0] == "查看原文" and titles[-1] == "转人工"


async def test_region_alone_answers_the_last_question_for_that_region(domain: dict[str, Any]) -> None:
    messages, slots = await run(
        ActionAnswer(),
        domain,
        "那西藏呢？",
        "inform",
        {"last_question": "企业海外维权找谁", "need": "find_agency", "region": "贵州省"},
    )
    assert contract(messages)["citations"][0]["ref"] == "xizang/12" and slots["region"] == "西藏自治区"
    assert "自治区市场监管局" in texts(messages)


async def test_a_question_most_plans_answer_asks_the_region_and_keeps_the_question(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswer(), domain, "抖音直播间卖假货怎么举报", "report_infringement")
    assert contract(messages)["kind"] == "ask_region" and slots["pending_question"] == "抖音直播间卖假货怎么举报"
    assert slots["need"] == "report_infringement"
    assert [b["title"] for b in messages[-2]["buttons"]][:5] == [
        "贵州省",
        "云南省",
        "山西省忻州市保德县",
        "西藏自治区",
        "广西壮族自治区",
    ]
    messages, slots = await run(
        ActionAnswer(),
        domain,
        "云南",
        "inform",
        {"pending_question": slots["pending_question"], "need": slots["need"], "side": slots["side"]},
    )
    custom = contract(messages)
    assert custom["kind"] == "answer" and custom["region"] == "yunnan"
    assert custom["citations"][0]["ref"] == "yunnan/10" and "投诉举报" in texts(messages)
    assert slots["pending_question"] is None and slots["last_question"] == "抖音直播间卖假货怎么举报"


async def test_region_alone_without_a_question_asks_for_the_problem(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionAnswer(), domain, "广西", "inform")
    assert "广西壮族自治区" in texts(messages) and slots["region"] == "广西壮族自治区"
    assert contract(messages)["kind"] == "clarify"


async def test_uncovered_region_offers_covered_regions(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswer(), domain, "浙江的企业海外维权找谁", "find_agency")
    assert "暂未收录浙江省" in texts(messages) and contract(messages)["kind"] == "not_covered"
    titles = [b["title"] for b in messages[-2]["buttons"]]
    assert titles[0] == "转人工" and len(titles) == 6  # a person first, then the covered regions
    assert "维权援助（5个地区的方案都写到）" in texts(messages)


async def test_a_plan_without_the_subject_says_so_and_names_the_plans_that_have_it(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswer(), domain, "云南的商标可以拿去质押贷款吗", "seek_support")
    reply = texts(messages)
    assert reply.startswith("云南省的方案没有写到知识产权质押融资")
    assert [c["ref"] for c in contract(messages)["citations"]] == ["xizang/7", "guizhou/8"]
    assert "中国人民银行拉萨中心支行" in reply


async def test_sentencing_is_a_limit_without_a_region_question(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswer(), domain, "卖假名牌包被抓了会判几年", "ask_sentencing", side="accused")
    custom = contract(messages)
    assert custom["kind"] == "limit" and custom["citations"] == []
    assert "量刑" in texts(messages) and "哪个地区" not in texts(messages)
    assert [b["title"] for b in messages[-2]["buttons"]] == ["转人工"]


async def test_an_accused_party_is_not_lectured(domain: dict[str, Any]) -> None:
    messages, _ = await run(
        ActionAnswer(), domain, "我们被同行告商标侵权了，觉得很冤，该怎么办", "respond_accusation", side="accused"
    )
    reply = texts(messages)
    assert contract(messages)["kind"] == "limit" and "被指侵权的一方" in reply
    assert not any(word in reply for word in ("严惩", "从重", "严厉打击", "惩罚性"))


async def test_only_the_plans_with_the_subject_answer_it(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswer(), domain, "藏医药的知识产权怎么保护", "ask_policy")
    custom = contract(messages)
    assert custom["kind"] == "answer" and [c["ref"] for c in custom["citations"]] == ["xizang/6"]
    assert "自治区文化厅" in texts(messages)


async def test_leadership_group_of_baode(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswer(), domain, "保德县知识产权领导组组长是谁", "agency_duties")
    reply = texts(messages)
    assert "组长白侯平（县政府副县长）" in reply and "陈广荣" in reply and "办公室设在" in reply
    assert contract(messages)["citations"][0]["ref"] == "baode/19"


async def test_deadline_question_with_its_own_subject(domain: dict[str, Any]) -> None:
    messages, _ = await run(
        ActionDeadlines(), domain, "保德县知识产权信用体系建设的完成时限", "ask_deadline", also=("ask_policy",)
    )
    assert contract(messages)["citations"][0]["ref"] == "baode/11" and "完成时限：2022年" in texts(messages)


async def test_a_question_that_starts_with_a_greeting_is_answered(domain: dict[str, Any]) -> None:
    messages, _ = await run(
        ActionGreet(),
        domain,
        "您好！有人在网上卖我们品牌的假货怎么办",
        "greet",
        side="holder",
        also=("resolve_dispute",),
    )
    assert contract(messages)["kind"] == "ask_region"
    messages, _ = await run(ActionGreet(), domain, "您好！", "greet")
    assert contract(messages)["kind"] == "smalltalk"


async def test_negative_feedback_needs_an_answer_before_it(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionFeedback(), domain, "没用", "feedback_bad")
    assert contract(messages)["kind"] != "feedback"
    messages, _ = await run(ActionFeedback(), domain, "没用", "feedback_bad", {"last_kind": "answer"})
    assert contract(messages)["kind"] == "feedback"


async def test_a_question_that_ends_with_thanks_is_answered(domain: dict[str, Any]) -> None:
    messages, _ = await run(
        ActionSmalltalk(), domain, "公司给国外支付专利使用费要交印花税吗？谢谢！", "thank", also=("ask_tax",)
    )
    assert contract(messages)["kind"] == "limit" and "税务" in texts(messages)
    messages, _ = await run(ActionSmalltalk(), domain, "谢谢！", "thank")
    assert messages[0]["response"] == "utter_thank"


@pytest.mark.parametrize("word", ["保险", "质押融资", "展会", "老字号"])
async def test_a_subject_read_as_yes_is_asked_about_not_agreed_with(domain: dict[str, Any], word: str) -> None:
    """A bare subject the NLU reads as affirm: the plans write it, so the reply says which plans do (or answers),
    never "好的。请继续描述…"."""
    messages, _ = await run(ActionSmalltalk(), domain, word, "affirm")
    assert messages[0].get("response") is None and contract(messages)["kind"] in ("clarify", "answer", "ask_region")
    assert "写到了" in texts(messages) or contract(messages)["citations"]
    messages, _ = await run(ActionSmalltalk(), domain, "好的", "affirm")
    assert messages[0]["response"] == "utter_affirm"


async def test_compare_regions_from_text(domain: dict[str, Any]) -> None:
    messages, slots = await run(ActionCompareRegions(), domain, "贵州和云南在海外维权上有什么不同", "compare_regions")
    reply = texts(messages)
    assert "· 贵州省：第17条" in reply and "· 云南省：第14条" in reply and "广西" not in reply
    assert slots["last_refs"] == ["guizhou/17", "yunnan/14"]


async def test_compare_regions_cites_what_the_one_ranker_puts_first_among_the_topics_clauses(
    domain: dict[str, Any],
) -> None:
    """Each plan's row is the clause the search (and so the chat) ranks first for the words, among those tagged with
    the compared topic: 云南 10 and 广西 10 are about 纠纷快速处理, where the tags alone gave their clauses 11."""
    messages, slots = await run(ActionCompareRegions(), domain, "云南与广西纠纷快速处理机制对比", "compare_regions")
    reply = texts(messages)
    assert "· 云南省：第10条“推动简易案件和纠纷快速处理”" in reply and "· 广西壮族自治区：第10条" in reply
    assert slots["last_refs"] == ["yunnan/10", "guangxi/10"]
    assert slots["topic"] == "fast_track"


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


async def test_nothing_in_the_plans_is_said_plainly(domain: dict[str, Any]) -> None:
    messages, _ = await run(ActionAnswer(), domain, "asdf qwer", "nlu_fallback")
    assert "收录的实施方案没有写到这个问题" in texts(messages) and contract(messages)["kind"] == "limit"


@pytest.mark.parametrize("text", ["", "假" * 5000, "<b>海外维权</b>"])
async def test_bad_text_never_raises(domain: dict[str, Any], text: str) -> None:
    for action, intent in (
        (ActionAnswer(), "find_agency"),
        (ActionAnswer(), "nlu_fallback"),
        (ActionShowClause(), "show_clause"),
        (ActionAgencyDuties(), "agency_duties"),
    ):
        messages, _ = await run(action, domain, text, intent)
        assert messages and all(len(str(m.get("text") or "")) <= MESSAGE_LIMIT for m in messages)
        assert contract(messages)["kind"] in KINDS


def test_compose_splits_long_answers_between_parts() -> None:
    parts = ["甲" * 300, "乙" * 300, "丙。" * 300]
    messages = compose(parts)
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert "".join(messages).replace("\n", "") == "".join(parts)
