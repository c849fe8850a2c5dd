"""Conversations through Rasa's REST webhook with the real model, action server and knowledge base.

Each test asserts facts of the plans — clause, agency, deadline, region — not only that a reply came back.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Feedback, HandoffCase, UnansweredQuestion
from tests.e2e.conftest import Chat

DISCLAIMER = "仅供参考，不构成法律意见"
COVERED = ("贵州省", "云南省", "山西省忻州市保德县", "西藏自治区", "广西壮族自治区")


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


# -- single-turn facts: (question, facts that must all appear) ---------------------------------------------------
FACTS = [
    (
        "贵州企业海外维权找谁",
        [
            "贵州省",
            "第17条",
            "加强海外知识产权维权援助服务",
            "牵头单位：省商务厅",
            "责任单位：贵州银保监局、省市场监管局",
            DISCLAIMER,
        ],
    ),
    ("西藏驰名商标有奖励吗", ["西藏自治区", "第17条", "50万元", "自治区财政厅"]),
    ("保德县纠纷调解找谁", ["保德县", "第7条", "县司法局", "完成时限：2022年"]),
    ("拉萨的企业想用商标质押贷款", ["西藏自治区", "第7条", "牵头单位：中国人民银行拉萨中心支行"]),
    ("广西有专利执行险吗", ["广西壮族自治区", "第14条", "专利执行险", "该方案未列明"]),
    ("西藏的藏医药怎么保护", ["西藏自治区", "第6条", "藏医药", "牵头单位：自治区文化厅"]),
    ("保德有没有技术调查官帮忙认定技术问题", ["保德县", "第17条", "技术调查官", "完成时限：2022年"]),
    ("我们在贵阳参展，展品被人仿冒了", ["贵州省", "第15条", "展会", "牵头单位：省商务厅"]),
    ("遵义有人卖我们酒厂的假酒，去哪举报", ["贵州省", "省市场监管局"]),
    ("桂林的米粉想申请地理标志", ["广西壮族自治区", "地理标志"]),
    ("云南员工跳槽把客户名单带走了", ["云南省", "商业秘密", "该方案未列明"]),
    ("山西的企业有没有维权援助", ["山西省忻州市保德县", "县级方案", "维权援助"]),
    ("西藏的商标被人恶意抢注了", ["西藏自治区", "商标恶意注册"]),
]


@pytest.mark.parametrize(("question", "facts"), FACTS, ids=[q for q, _ in FACTS])
def test_topic_question_cites_clause_and_agency(chat: Chat, question: str, facts: list[str]) -> None:
    reply = chat.text(sender(), question)
    missing = [fact for fact in facts if fact not in reply]
    assert missing == [], reply


def test_plan_without_agencies_says_so_and_names_none(chat: Chat) -> None:
    reply = chat.text(sender(), "云南的海外维权由哪个部门牵头")
    assert "云南省" in reply and "第14条" in reply and "加强海外维权援助服务" in reply
    assert "该方案未列明这项工作的牵头或责任单位" in reply
    assert "牵头单位：" not in reply and "责任单位：" not in reply
    assert not re.search(r"[省县]\S{1,8}(厅|局)", reply), reply  # no agency invented


@pytest.mark.parametrize("question", ["浙江企业被仿冒了怎么办", "杭州的网店被人盗图了", "北京的商标被抢注了"])
def test_uncovered_region_is_answered_honestly(chat: Chat, question: str) -> None:
    replies = chat.send(sender(), question)
    reply = "\n".join(str(r.get("text")) for r in replies)
    assert "暂未收录" in reply and ("浙江省" in reply or "北京市" in reply)
    assert all(region in reply for region in COVERED)
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]  # type: ignore[union-attr]
    assert set(COVERED) <= set(titles)


def test_region_switch_keeps_the_topic(chat: Chat) -> None:
    user = sender()
    first = chat.text(user, "贵州企业海外维权找谁？")
    assert "省商务厅" in first
    second = chat.text(user, "那西藏呢？")
    assert "西藏自治区" in second and "海外维权" in second
    assert "第12条" in second and "牵头单位：自治区市场监管局" in second
    third = chat.text(user, "广西呢")
    assert "广西壮族自治区" in third and "第14条" in third


def test_topic_without_region_asks_with_buttons_then_answers(chat: Chat) -> None:
    user = sender()
    replies = chat.send(user, "商标被人抢注了怎么办")
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]  # type: ignore[union-attr]
    assert set(COVERED) <= set(titles) and "各地对比" in titles
    payload = next(b["payload"] for r in replies for b in r.get("buttons", []) if b["title"] == "广西壮族自治区")  # type: ignore[union-attr]
    answer = chat.text(user, str(payload))
    assert "广西壮族自治区" in answer and "第1条" in answer and "商标恶意注册" in answer


def test_region_first_then_topic(chat: Chat) -> None:
    user = sender()
    assert "广西" in chat.text(user, "我们是南宁的企业")
    answer = chat.text(user, "有人仿冒我们的包装，去哪投诉")
    assert "广西壮族自治区" in answer and DISCLAIMER in answer


def test_compare_regions(chat: Chat) -> None:
    reply = chat.text(sender(), "贵州和云南在海外维权上有什么不同")
    assert "贵州省：第17条“加强海外知识产权维权援助服务”，牵头单位：省商务厅" in reply
    assert "云南省：第14条“加强海外维权援助服务”，未列明牵头单位" in reply


def test_agency_duties(chat: Chat) -> None:
    reply = chat.text(sender(), "省商务厅负责哪些？")
    assert "“省商务厅”在收录的方案中承担4项工作" in reply
    assert "贵州省 第17条 加强海外知识产权维权援助服务（牵头单位）" in reply
    assert "西藏自治区" in reply  # 自治区商务厅, same kind


def test_agency_duties_pboc_lhasa(chat: Chat) -> None:
    reply = chat.text(sender(), "中国人民银行拉萨中心支行负责什么")
    assert "西藏自治区 第7条 推动知识产权金融服务（牵头单位）" in reply


def test_deadline_of_a_baode_clause(chat: Chat) -> None:
    user = sender()
    chat.text(user, "保德县纠纷调解找谁")
    reply = chat.text(user, "什么时候完成？")
    assert "第7条" in reply and "“2022年”" in reply


def test_deadline_from_yunnan_work_plan(chat: Chat) -> None:
    user = sender()
    chat.text(user, "云南有知识产权保护中心吗")
    reply = chat.text(user, "这个有时间表吗")
    assert "2021年12月底前完成" in reply and "第57项" in reply


def test_deadline_none_in_guizhou(chat: Chat) -> None:
    user = sender()
    chat.text(user, "贵州企业海外维权找谁")
    assert "原文未规定完成时限" in chat.text(user, "什么时候完成？")


def test_full_text_button(chat: Chat) -> None:
    user = sender()
    replies = chat.send(user, "贵州企业海外维权找谁")
    payload = next(b["payload"] for r in replies for b in r.get("buttons", []) if b["title"] == "查看原文")  # type: ignore[union-attr]
    reply = chat.text(user, str(payload))
    assert "鼓励保险机构开展知识产权涉外保险业务。" in reply and "牵头单位：省商务厅" in reply


def test_full_text_of_a_named_task(chat: Chat) -> None:
    reply = chat.text(sender(), "查看云南推进计划第57项原文")
    assert "建立中国(云南)知识产权维权援助中心" in reply and "2021年12月底前完成" in reply


def test_human_handoff_stores_a_case(chat: Chat) -> None:
    user = sender()
    chat.text(user, "保德县纠纷调解找谁")
    reply = chat.text(user, "转人工")
    number = re.search(r"IPR\d{8}-\d{5}", reply)
    assert number, reply
    with Session(chat.engine) as session:
        case = session.scalars(select(HandoffCase).where(HandoffCase.case_number == number.group(0))).one()
    assert case.conversation_id == user and case.region == "山西省" and case.topic == "mediation_arbitration"
    assert "保德县纠纷调解找谁" in case.user_messages


def test_feedback_is_stored_with_the_cited_clause(chat: Chat) -> None:
    user = sender()
    chat.text(user, "贵州企业海外维权找谁")
    chat.text(user, "这个回答很有帮助")
    chat.text(user, "西藏驰名商标有奖励吗")
    assert "转人工" in chat.text(user, "答非所问，没用")
    with Session(chat.engine) as session:
        rows = session.scalars(select(Feedback).where(Feedback.conversation_id == user).order_by(Feedback.id)).all()
    assert [(r.positive, r.clause_refs[0]) for r in rows] == [(True, "guizhou/17"), (False, "xizang/17")]


def test_greeting_lists_the_covered_regions(chat: Chat) -> None:
    reply = chat.text(sender(), "你好")
    assert all(region in reply for region in COVERED) and DISCLAIMER in reply


def test_list_regions_with_status_and_dates(chat: Chat) -> None:
    reply = chat.text(sender(), "你们有哪些地区的政策")
    assert "征求意见稿" in reply and "2020年12月29日" in reply and "2020年10月19日" in reply
    assert "山西省忻州市保德县的方案为县级方案" in reply


def test_capabilities(chat: Chat) -> None:
    reply = chat.text(sender(), "你能做什么")
    assert "牵头单位" in reply and all(region in reply for region in COVERED)


@pytest.mark.parametrize("question", ["今天天气怎么样", "帮我写首诗", "推荐一只股票"])
def test_off_topic_gets_a_polite_redirect(chat: Chat, question: str) -> None:
    reply = chat.text(sender(), question)
    assert "超出了我的范围" in reply and "知识产权" in reply


def test_bot_challenge_goodbye_thanks(chat: Chat) -> None:
    user = sender()
    assert "不是真人" in chat.text(user, "你是机器人吗")
    assert "不客气" in chat.text(user, "谢谢")
    assert "再见" in chat.text(user, "再见")


@pytest.mark.parametrize(
    "message",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "？？？", "😀😀😀", "'; DROP TABLE kb_clauses; --"],
)
def test_hostile_or_empty_input_gets_a_plain_text_answer(chat: Chat, message: str) -> None:
    reply = chat.text(sender(), message)
    assert "<" not in reply and ">" not in reply
    assert "贵州省" in chat.text(sender(), "贵州企业海外维权找谁")  # nothing broken


def test_very_long_message_is_answered_briefly(chat: Chat) -> None:
    replies = chat.send(sender(), "我们公司的商标被抢注了" * 200)
    assert replies and all(len(str(r.get("text", ""))) <= 400 for r in replies)


def test_every_message_is_short_plain_text(chat: Chat) -> None:
    user = sender()
    for question in ("贵州企业海外维权找谁", "查看贵州第8条原文", "你们有哪些地区的政策", "省市场监管局负责哪些"):
        replies = chat.send(user, question)
        assert all("text" in r or "custom" in r for r in replies)
        for reply in (r for r in replies if "text" in r):
            text = str(reply["text"])
            assert 0 < len(text) <= 400 and "<" not in text


def test_question_without_region_offers_the_overview_across_regions(chat: Chat) -> None:
    user = sender()
    replies = chat.send(user, "驰名商标一次性奖励50万元是哪里的规定")
    buttons = {b["title"]: b["payload"] for r in replies for b in r.get("buttons", [])}  # type: ignore[union-attr]
    if "各地对比" in buttons:  # the NLU knew the topic: it asks for a region and offers the overview
        reply = chat.text(user, str(buttons["各地对比"]))
        assert "· 西藏自治区：第17条" in reply and "牵头单位：自治区财政厅、自治区经信厅" in reply
    else:  # the NLU was unsure: the retrieval fallback cites the clause and records the question for staff
        reply = "\n".join(str(r.get("text")) for r in replies)
        assert "西藏自治区" in reply and "50万元" in reply
        with Session(chat.engine) as session:
            recorded = session.scalars(
                select(UnansweredQuestion).where(UnansweredQuestion.conversation_id == user)
            ).all()
        assert recorded and "xizang/17" in recorded[0].suggested_refs
