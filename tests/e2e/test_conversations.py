"""Conversations through Rasa's REST webhook with the real model, action server and knowledge base.

Each test asserts facts of the plans — clause, agency, deadline, region — not only that a reply came back.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.answers.examples import EXAMPLES
from bot.kb.topics import load_topics
from bot.settings import Settings
from bot.store.models import Feedback, HandoffCase
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
            "海外维权",
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
    ("桂林米粉被外地厂家冒用了地理标志", ["广西壮族自治区", "第1条", "加强地理标志保护工作"]),
    ("云南员工跳槽把客户名单带走了", ["劳动", "无法回答"]),  # employment: another field of law
    ("山西的企业有没有维权援助", ["山西省忻州市保德县（县级方案）", "维权援助"]),
    ("西藏的商标被人恶意抢注了", ["西藏自治区", "第15条", "商标恶意注册", "牵头单位：自治区市场监管局"]),
]


@pytest.mark.parametrize(("question", "facts"), FACTS, ids=[q for q, _ in FACTS])
def test_topic_question_cites_clause_and_agency(chat: Chat, question: str, facts: list[str]) -> None:
    reply = chat.text(sender(), question)
    missing = [fact for fact in facts if fact not in reply]
    assert missing == [], reply


def test_plan_without_agencies_says_so_and_names_none(chat: Chat) -> None:
    reply = chat.text(sender(), "云南的海外维权由哪个部门牵头")
    assert "云南省" in reply and "第14条" in reply and "海外知识产权纠纷应对指导" in reply
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
    assert "西藏自治区" in second and "涉外" in second
    assert "第12条" in second and "牵头单位：自治区市场监管局" in second
    third = chat.text(user, "广西呢")
    assert "广西壮族自治区" in third and "第14条" in third


def test_question_without_region_asks_with_buttons_then_answers_that_question(chat: Chat) -> None:
    user = sender()
    replies = chat.send(user, "商标被人抢注了怎么办")
    assert contract(replies)["kind"] == "ask_region"
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]  # type: ignore[union-attr]
    assert set(COVERED) <= set(titles) and "转人工" in titles
    payload = next(b["payload"] for r in replies for b in r.get("buttons", []) if b["title"] == "广西壮族自治区")  # type: ignore[union-attr]
    answer = chat.send(user, str(payload))
    assert contract(answer)["kind"] == "answer" and contract(answer)["region"] == "guangxi"
    assert contract(answer)["citations"][0]["ref"] == "guangxi/1" and "商标恶意注册" in texts(answer)


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
def test_off_topic_is_told_plainly_that_the_plans_do_not_say(chat: Chat, question: str) -> None:
    replies = chat.send(sender(), question)
    assert "收录的实施方案没有写到这个问题" in texts(replies)
    custom = contract(replies)
    assert (custom["kind"], custom["region"], custom["citations"]) == ("limit", None, [])


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


def test_a_subject_only_one_plan_has_is_answered_from_it_without_a_region_question(chat: Chat) -> None:
    user = sender()
    replies = chat.send(user, "驰名商标一次性奖励50万元是哪里的规定")
    if contract(replies)["kind"] == "clarify":  # the model was unsure which need: the user picks the policy one
        payload = next(b["payload"] for r in replies for b in r.get("buttons", []) if b["payload"] == "/ask_policy")  # type: ignore[union-attr]
        replies = chat.send(user, str(payload))
    assert contract(replies)["kind"] == "answer" and contract(replies)["citations"][0]["ref"] == "xizang/17"
    assert "50万元" in texts(replies) and "自治区财政厅" in texts(replies)


# -- the reply contract and questions the plans cannot decide ----------------------------------------------------
def texts(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(r.get("text")) for r in replies if r.get("text"))


def contract(replies: list[dict[str, object]]) -> dict[str, object]:
    custom = replies[-1].get("custom")
    assert isinstance(custom, dict), replies
    return custom


LIMITS = [
    ("卖高仿鞋被抓了一般判几年", "量刑"),
    ("假冒别人商标卖货要罚多少钱", "罚款"),
    ("我翻唱了一首歌发到网上算侵权吗", "是否侵权"),
    ("拼多多售假会被扣多少分", "平台"),
    ("申请商标注册要交多少钱", "收费"),
    ("软件著作权入账算无形资产吗", "税务"),
]


@pytest.mark.parametrize(("question", "says"), LIMITS, ids=[q for q, _ in LIMITS])
def test_questions_the_plans_cannot_decide_get_an_honest_limit_first(chat: Chat, question: str, says: str) -> None:
    replies = chat.send(sender(), question)
    reply = texts(replies)
    assert contract(replies)["kind"] == "limit" and says in reply and "无法" in reply
    # no region was named: what the plans offer in general, never one province's clause, and a person
    assert contract(replies)["citations"] == [] and "转人工" in [
        b["title"] for r in replies for b in r.get("buttons", [])
    ]  # type: ignore[union-attr]


def test_an_accused_party_gets_a_neutral_answer(chat: Chat) -> None:
    replies = chat.send(sender(), "我们被同行起诉商标侵权了，觉得很冤枉，怎么办")
    reply = texts(replies)
    assert contract(replies)["kind"] == "limit" and "被指侵权的一方" in reply
    assert not any(word in reply for word in ("严惩", "从重", "严厉打击", "惩罚性赔偿"))


def test_an_accused_seller_asking_how_to_answer_a_design_patent_complaint(chat: Chat) -> None:
    user = sender()
    replies = chat.send(user, "店铺被投诉外观专利侵权了，我们怎么申诉")
    if contract(replies)["kind"] == "ask_region":
        replies = chat.send(user, "云南")
    refs = [c["ref"] for c in contract(replies)["citations"]]  # type: ignore[attr-defined]
    assert contract(replies)["kind"] == "answer" and "yunnan/10" in refs and "评价报告" in texts(replies)


def test_a_vague_request_is_clarified_and_every_offered_button_gets_an_answer(chat: Chat) -> None:
    replies = chat.send(sender(), "侵权了咋办")
    # which side the user is on: asked outright, or as the choice between the holder's and the accused's need
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]  # type: ignore[union-attr]
    assert contract(replies)["kind"] == "clarify"
    assert "我被投诉侵权" in titles or "被投诉或被起诉后怎么应对" in titles, titles
    payloads = [b["payload"] for r in replies for b in r.get("buttons", []) if b["payload"] != "/human_handoff"]  # type: ignore[union-attr]
    assert len(payloads) >= 2
    for payload in payloads:  # each choice, in a conversation of its own that asked the same
        user = sender()
        chat.send(user, "侵权了咋办")
        assert contract(chat.send(user, str(payload)))["kind"] in ("answer", "ask_region", "limit"), payload


def test_the_pending_question_is_answered_in_its_own_words_when_the_region_arrives(chat: Chat) -> None:
    user = sender()
    first = chat.send(user, "快手直播间有人卖我们牌子的假货，怎么投诉")
    assert contract(first)["kind"] == "ask_region"
    answer = chat.send(user, "广西壮族自治区")
    assert contract(answer)["kind"] == "answer" and contract(answer)["region"] == "guangxi"
    refs = [c["ref"] for c in contract(answer)["citations"]]  # type: ignore[attr-defined]
    # "怎么投诉" about fakes sold online: the step card, led by the platform step of 广西's plan and its sentence
    assert refs[0] == "guangxi/10" and contract(answer)["situation"] == "online_fakes"
    assert "删除侵权内容" in texts(answer) and "——广西壮族自治区 第10条" in texts(answer)


def test_a_subject_only_some_plans_have(chat: Chat) -> None:
    replies = chat.send(sender(), "壮瑶医药有什么知识产权保护")
    assert contract(replies)["kind"] == "answer" and contract(replies)["citations"][0]["ref"] == "guangxi/4"
    assert "只有广西壮族自治区" in texts(replies)


def test_the_plan_in_scope_lacks_the_subject_and_others_are_named(chat: Chat) -> None:
    replies = chat.send(sender(), "云南的企业能用商标质押贷款吗")
    assert texts(replies).startswith("云南省的方案没有写到知识产权质押融资")
    assert [c["ref"] for c in contract(replies)["citations"]] == ["xizang/7", "guizhou/8"]  # type: ignore[attr-defined]


def test_baode_leadership_group(chat: Chat) -> None:
    reply = chat.text(sender(), "保德县知识产权领导组的组长和副组长是谁")
    assert "组长白侯平（县政府副县长）" in reply and "刘颖洁" in reply and "陈广荣" in reply
    assert "办公室设在县市场局监督管理局办公室" in reply


def test_a_deadline_question_that_names_its_subject(chat: Chat) -> None:
    replies = chat.send(sender(), "保德县知识产权信用体系建设的完成时限")
    assert contract(replies)["citations"][0]["ref"] == "baode/11" and "完成时限：2022年" in texts(replies)


def test_a_platform_named_阿里_is_not_the_阿里_prefecture(chat: Chat) -> None:
    reply = texts(chat.send(sender(), "阿里被投诉卖假货会直接封店吗"))
    assert "西藏" not in reply.split("\n")[0] and "平台" in reply


def test_a_county_level_city_resolves_to_its_province(chat: Chat) -> None:
    assert "暂未收录浙江省" in chat.text(sender(), "我们是海宁的皮具厂，商标被仿冒了")


def product_offers() -> list[str]:
    """What the product itself puts in the user's mouth: the page's and the welcome's suggestions, and each topic's
    button question as the region-topic buttons send it (data/topics.yml)."""
    topics = load_topics(Settings().topics_file)
    return [*EXAMPLES, *(f"{region}{t.question}" for region in ("贵州省", "云南省") for t in topics)]


@pytest.mark.parametrize("message", product_offers())
def test_every_question_the_product_suggests_gets_a_substantive_answer(chat: Chat, message: str) -> None:
    user = sender()
    replies = chat.send(user, message)
    if contract(replies)["kind"] == "ask_region":
        replies = chat.send(user, "云南")
    assert contract(replies)["kind"] == "answer" and contract(replies)["citations"], texts(replies)
