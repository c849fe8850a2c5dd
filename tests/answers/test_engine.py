"""The answer engine with the NLU's reading given (need, side): which clause, which agency, which region, which kind.

The model's own reading of real text is tested through the running stack (tests/e2e/test_conversations.py,
tests/test_stories.yml, make eval-questions); here each decision of ``bot.answers.compose`` is pinned to facts of
the plans.
"""

from __future__ import annotations

import pytest

from bot.answers import claims
from bot.answers.compose import answer
from bot.answers.model import Answer, Conversation, Parse
from bot.answers.needs import Need
from bot.answers.render import plain_text, structured
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase


@pytest.fixture()
def ask(kb: KnowledgeBase, needs: dict[str, Need], wording: Wording):  # type: ignore[no-untyped-def]
    def asking(text: str, parse: Parse, state: Conversation | None = None) -> Answer:
        return answer(kb, needs, wording, text, parse, state or Conversation())

    return asking


def then_region(ask, first: Answer, region: str) -> Answer:  # type: ignore[no-untyped-def]
    """The user answers the region question (or picks a region button) in the next turn."""
    return ask(region, Parse("inform", 0.9), Conversation(pending=first.pending, need=first.need, side=first.side))


def test_insurance_in_guizhou_is_clause_17(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    """「贵州」 then 「有没有知识产权保险」: 贵州 第17条 says 鼓励保险机构开展知识产权涉外保险业务."""
    reply = ask("有没有知识产权保险", Parse.of("seek_support"), Conversation(province="贵州省"))
    assert reply.kind == "answer" and reply.refs[0] == "guizhou/17"
    assert "鼓励保险机构开展知识产权涉外保险业务" in plain_text(reply, wording)
    assert "没有写到" not in plain_text(reply, wording)


@pytest.mark.parametrize("need", ["find_agency", "report_infringement"])
def test_fair_in_guizhou_is_clause_15_with_one_clause_per_card(ask, wording: Wording, need: str) -> None:  # type: ignore[no-untyped-def]
    reply = ask("贵州展会上有人卖假冒我们专利的产品，找谁", Parse.of(need, "holder"))
    assert reply.kind == "answer" and reply.refs[0] == "guizhou/15"
    card = structured(reply, wording)
    first = card["basis"][0]  # type: ignore[index]
    assert "制定我省展会知识产权保护指引" in first["quote"]
    assert first["lead"] == ["省商务厅"] and "牵头单位是省商务厅" in str(card["verdict"])


def test_a_reward_for_reporting_is_answered_across_plans(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("举报卖高仿包有奖励吗", Parse.of("seek_support"))
    assert reply.kind == "answer" and reply.region is None
    assert set(reply.refs) <= {"yunnan/20", "guizhou/22", "baode/22", "guangxi/21", "xizang/17"}
    assert "举报奖励" in "".join(s for c in reply.cited for s in c.sentences)
    assert {b.title for b in reply.buttons} >= {"贵州省", "云南省", "广西壮族自治区"}


def test_a_reward_for_a_patent_is_not_answered_with_the_reward_for_reporting(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    """云南 第20条 rewards 举报; 推进计划第91项 is 专利资助: the user asked about a patent, not a report."""
    reply = ask("企业拿到发明专利，云南有没有奖励", Parse.of("seek_support"))
    assert reply.kind == "answer" and reply.refs[0] == "yunnan/task-91"
    assert "专利资助" in plain_text(reply, wording) and "yunnan/20" not in reply.refs[:1]


def test_a_loan_against_a_trademark_names_the_two_plans_that_have_it(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("商标可以贷款吗，需要什么材料", Parse.of("seek_support"))
    text = plain_text(reply, wording)
    assert reply.kind == "answer" and set(reply.refs) == {"xizang/7", "guizhou/8"}
    assert "只有贵州省、西藏自治区的方案写到了知识产权质押融资" in text
    assert "中国人民银行拉萨中心支行" in text


def test_a_region_without_the_subject_says_so_and_points_to_the_plans_with_it(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("云南的商标能质押贷款吗", Parse.of("seek_support"))
    text = plain_text(reply, wording)
    assert reply.kind == "answer" and reply.region == "yunnan"
    assert text.startswith("云南省的方案没有写到知识产权质押融资")
    assert reply.refs[0] in ("xizang/7", "guizhou/8")


def test_a_region_without_the_channel_says_which_channel_it_lacks(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    """西藏 writes 仿冒 but no 投诉举报: the verdict says so (computed), then which plans have it."""
    reply = ask("西藏有人卖仿冒我们的产品，去哪举报", Parse.of("report_infringement", "holder"))
    assert reply.kind == "answer" and reply.region == "xizang"
    assert reply.verdict.startswith("西藏自治区的方案没有写到投诉举报；写到的有")
    assert all(not ref.startswith("xizang/") for ref in reply.refs)


@pytest.mark.parametrize("region", ["贵州省", "云南省", "山西省", "西藏自治区", "广西壮族自治区"])
def test_no_verdict_is_left_without_its_statement(
    kb: KnowledgeBase, needs: dict[str, Need], wording: Wording, region: str
) -> None:
    """Every served need about every subject of the registry, in each region: a verdict never starts mid-sentence."""
    for need in (n for n in needs.values() if n.served):
        for subject in kb.subjects.values():
            text = f"关于{min(subject.plan_words)}的问题"
            reply = answer(kb, needs, wording, text, Parse.of(need.id), Conversation(province=region))
            assert not reply.verdict.startswith(("；", "，", "。")), (need.id, subject.id, reply.verdict)


def test_a_report_asks_the_region_as_a_person_would_be_asked(ask) -> None:  # type: ignore[no-untyped-def]
    first = ask("抖音直播卖假货怎么举报", Parse.of("report_infringement"))
    assert first.kind == "ask_region" and "您在哪个地区" in first.verdict and "企业" not in first.verdict
    assert first.pending == "抖音直播卖假货怎么举报"
    reply = then_region(ask, first, "云南")
    assert reply.kind == "answer" and reply.refs[0] in ("yunnan/10", "yunnan/15")
    assert "yunnan/20" not in reply.refs[:1]  # 举报奖励 is not how to report


def test_a_design_patent_complaint_is_answered_with_the_evaluation_report(ask) -> None:  # type: ignore[no-untyped-def]
    # only 云南's plan has the 评价报告 clause: answered at once, from that plan
    reply = ask("如果被投诉外观专利侵权，我们该怎么申诉", Parse.of("respond_accusation", "accused"))
    assert reply.kind == "answer" and reply.refs[0] == "yunnan/10"
    assert "评价报告" in "".join(reply.cited[0].sentences)


def test_a_complaint_the_user_does_not_call_malicious_is_not_answered_with_the_malicious_complaints_clause(
    ask, wording: Wording
) -> None:  # type: ignore[no-untyped-def]
    """贵州 第1条 规制恶意投诉: quoted to someone whose video was taken down, it would say they were wronged."""
    accused = Parse.of("respond_accusation", "accused")
    taken_down = ask("在抖音用了背景音乐被投诉了，视频被下架，怎么申诉", accused, Conversation(province="贵州省"))
    assert taken_down.kind == "limit" and "guizhou/1" not in taken_down.refs
    seized = ask("出口的货物被海关扣了说侵犯商标权怎么办", accused, Conversation(province="云南省"))
    assert seized.kind == "limit" and seized.verdict == wording.text("utter_limit_accused")
    malicious = ask("有人恶意投诉我们的网店，怎么办", accused, Conversation(province="贵州省"))
    assert malicious.kind == "answer" and malicious.refs[0] == "guizhou/1"
    assert "规制恶意诉讼和恶意投诉行为" in plain_text(malicious, wording)


def test_a_lawsuit_against_the_asker_is_a_limit_with_mediation_never_the_other_sides_remedies(
    ask, wording: Wording
) -> None:  # type: ignore[no-untyped-def]
    first = ask("被一家花露水厂告侵权，觉得很无辜，怎么办", Parse.of("respond_accusation", "accused"))
    assert first.kind == "limit" and first.refs == []  # no region known: no province's clause picked for them
    assert "调解（5个地区的方案都写到）" in plain_text(first, wording)
    reply = then_region(ask, first, "云南")
    quoted = "".join(s for c in reply.cited for s in c.sentences)
    assert reply.kind == "limit" and reply.refs and all(r.startswith("yunnan/") for r in reply.refs)
    assert "调解" in quoted and "举报" not in quoted and "打击" not in quoted


def test_an_accused_party_whose_plan_is_silent_gets_the_limit_and_their_regions_measures(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    """贵州's plan has no clause on 恶意诉讼 with 商业秘密: not 广西's or 云南's, but 贵州's own 调解 / 维权援助."""
    reply = ask(
        "被起诉侵犯商业秘密，怎么办", Parse.of("respond_accusation", "accused"), Conversation(province="贵州省")
    )
    assert reply.kind == "limit" and reply.verdict == wording.text("utter_limit_accused")
    assert reply.refs and all(ref.startswith("guizhou/") for ref in reply.refs)


def test_an_accused_partys_need_read_without_the_accused_side_asks_which_side(ask) -> None:  # type: ignore[no-untyped-def]
    """The need model reads 被投诉's need, the side model reads no side: ask, keeping the question for the choice."""
    unsided = Parse(
        "respond_accusation", 0.79, (("respond_accusation", 0.79), ("ask_platform_rule", 0.1)), "none", 0.53
    )
    first = ask("遇到侵权了，投诉应该怎么做", unsided)
    assert first.kind == "clarify" and first.pending and "投诉应该怎么做" in first.pending
    assert [b.payload for b in first.buttons] == ["/respond_accusation", "/report_infringement", "/human_handoff"]
    chosen = ask("/report_infringement", Parse.of("report_infringement"), Conversation(pending=first.pending))
    assert chosen.kind == "ask_region" and chosen.question == first.pending
    accused = Parse("respond_accusation", 0.79, (("respond_accusation", 0.79),), "accused", 0.9)
    assert ask("店铺被投诉侵权，链接被下架了", accused).kind != "clarify"


def test_an_accused_party_asking_for_a_judgment_is_pointed_to_mediation(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("我们卖的包装上用了一个卡通形象，被说侵权了，这算不算", Parse.of("judge_infringement", "accused"))
    text = plain_text(reply, wording)
    assert reply.kind == "limit" and text.startswith("您是被指侵权的一方")
    assert "调解" in text and "投诉举报" not in text


def test_a_sentence_is_not_answered_with_any_clause(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("卖假货会判几年", Parse.of("ask_sentencing", "accused"))
    assert reply.kind == "limit" and reply.refs == [] and reply.pending is None
    assert "刑期" in plain_text(reply, wording)
    assert [b.title for b in reply.buttons] == ["转人工"]


def test_a_judgment_with_a_region_quotes_that_regions_measures(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("西藏有人用了和我们很像的商标，算侵权吗", Parse.of("judge_infringement", "holder"))
    assert reply.kind == "limit" and reply.refs and all(r.startswith("xizang/") for r in reply.refs)


def test_a_dispute_without_a_side_asks_which_side(ask) -> None:  # type: ignore[no-untyped-def]
    """ "侵权了怎么办": the model weighs the accused's need too and reads no side — ask, do not guess."""
    both = Parse("resolve_dispute", 0.55, (("resolve_dispute", 0.55), ("respond_accusation", 0.3)))
    reply = ask("侵权了怎么办", both)
    assert reply.kind == "clarify" and "我被投诉侵权" in [b.title for b in reply.buttons]


def test_a_dispute_the_model_reads_as_the_holders_is_not_asked_about_the_side(ask) -> None:  # type: ignore[no-untyped-def]
    """ "被人抄袭了怎么处理": resolve_dispute is the holder's need; with the accused's far behind, no side question."""
    holder = Parse(
        "resolve_dispute", 0.7, (("resolve_dispute", 0.7), ("judge_infringement", 0.2), ("respond_accusation", 0.05))
    )
    reply = ask("作品被人抄袭了怎么处理", holder, Conversation(province="云南省"))
    assert reply.kind == "answer" and reply.refs[0].startswith("yunnan/")


def test_an_uncertain_need_is_asked_with_buttons_then_answered(ask) -> None:  # type: ignore[no-untyped-def]
    unsure = Parse("judge_infringement", 0.2, (("judge_infringement", 0.2), ("report_infringement", 0.18)))
    first = ask("网上那家店的货好像是仿我们的", unsure)
    assert first.kind == "clarify" and first.pending == "网上那家店的货好像是仿我们的"
    assert [b.payload for b in first.buttons] == ["/judge_infringement", "/report_infringement", "/human_handoff"]
    chosen = ask("/report_infringement", Parse.of("report_infringement"), Conversation(pending=first.pending))
    assert chosen.kind == "ask_region" and chosen.question == "网上那家店的货好像是仿我们的"


def test_two_needs_the_plans_cannot_serve_are_not_asked_between(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    """Either need ends in an honest limit: the likelier one's is given, not a choice that changes nothing."""
    unsure = Parse("judge_infringement", 0.25, (("judge_infringement", 0.25), ("ask_fee", 0.2), ("ask_law", 0.1)))
    reply = ask("把流行歌改了词自己唱着玩行不行", unsure)
    assert reply.kind == "limit" and reply.verdict == wording.text("utter_limit_judgment")


def test_how_to_get_a_measure_the_plans_write_is_answered_with_it_and_the_unwritten_steps(
    ask, wording: Wording
) -> None:  # type: ignore[no-untyped-def]
    reply = ask("用专利做质押融资要走什么流程，准备哪些资料", Parse.of("ask_procedure"))
    text = plain_text(reply, wording)
    assert reply.kind == "answer" and set(reply.refs) == {"xizang/7", "guizhou/8"}
    assert "中国人民银行拉萨中心支行" in text
    assert wording.text("utter_procedure_not_written") in reply.notes


def test_a_procedure_of_no_measure_stays_a_limit(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("商标续展要交哪些材料", Parse.of("ask_procedure"))
    assert reply.kind == "limit" and reply.verdict == wording.text("utter_limit_procedure")


def test_a_measure_asked_with_how_to_apply_says_the_steps_are_not_written(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    read = Parse("seek_support", 0.7, (("seek_support", 0.7), ("ask_procedure", 0.2)))
    reply = ask("有没有知识产权保险，在哪里办", read, Conversation(province="贵州省"))
    assert reply.kind == "answer" and reply.refs[0] == "guizhou/17"
    assert wording.text("utter_procedure_not_written") in reply.notes
    plain = ask("有没有知识产权保险", Parse.of("seek_support"), Conversation(province="贵州省"))
    assert wording.text("utter_procedure_not_written") not in plain.notes
    # a weight on the procedure beside a question about no measure (商标抢注) says nothing about steps
    squatted = Parse("ask_policy", 0.6, (("ask_policy", 0.6), ("ask_procedure", 0.2)))
    policy = ask("商标被抢注，云南有什么措施", squatted)
    assert policy.kind == "answer" and wording.text("utter_procedure_not_written") not in policy.notes


def test_a_deadline_question_about_a_subject_is_answered_with_the_clause_and_its_deadline(
    ask, wording: Wording
) -> None:  # type: ignore[no-untyped-def]
    # the model is sure it is a deadline question; every need beside it is weak (the live model's reading)
    read = Parse("ask_deadline", 0.5, (("ask_deadline", 0.5), ("ask_policy", 0.29), ("seek_support", 0.09)))
    reply = ask("保德县知识产权信用体系建设的完成时限", read)
    assert reply.kind == "answer" and reply.refs[0] == "baode/11"
    assert "完成时限：2022年" in plain_text(reply, wording)


def test_an_uncovered_region_says_which_regions_are_covered(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("浙江有人卖我们牌子的假货去哪举报", Parse.of("report_infringement", "holder"))
    assert reply.kind == "not_covered" and "浙江省" in reply.verdict
    assert all(region in reply.verdict for region in ("贵州省", "云南省", "西藏自治区", "广西壮族自治区"))


def test_a_measure_for_something_no_plan_writes_is_not_asked_back(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    """No plan writes 集成电路: asking "which measure?" would not help; saying the plans are silent does."""
    reply = ask("集成电路布图设计有保护吗", Parse.of("ask_policy"))
    assert reply.kind == "limit" and reply.verdict == wording.text("utter_plans_silent") and reply.record_unanswered
    vague = ask("有没有什么保护措施", Parse.of("ask_policy"))
    assert vague.kind == "clarify" and vague.verdict == wording.text("utter_clarify_subject")


def test_a_served_need_about_nothing_the_plans_write_is_an_honest_limit(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("哪个部门管食品安全", Parse.of("find_agency"))
    assert reply.kind in ("limit", "clarify") and reply.refs == []


def test_an_accusation_by_someone_who_squatted_the_mark_is_answered_with_the_squatting_clause(
    ask, wording: Wording
) -> None:  # type: ignore[no-untyped-def]
    """An accused asker who says the accuser squatted their mark is the squatting's victim: 贵州 第7条 规制和惩戒
    商标恶意注册 is theirs. Without 抢注 said, the same accusation stays the accused limit."""
    accused = Parse.of("respond_accusation", "accused")
    squatted = ask(
        "我们的店名被人抢注成商标，现在对方反过来告我们侵权，怎么办", accused, Conversation(province="贵州省")
    )
    assert squatted.kind == "answer" and squatted.refs[0] == "guizhou/7"
    assert "商标恶意注册" in plain_text(squatted, wording) and "省市场监管局" in plain_text(squatted, wording)
    plain = ask("别人说我们的店名侵犯他们的商标，怎么办", accused, Conversation(province="贵州省"))
    assert plain.kind == "limit" and "guizhou/7" not in plain.refs


def test_a_subject_named_alone_is_never_told_the_plans_are_silent(
    kb: KnowledgeBase, needs: dict[str, Need], wording: Wording
) -> None:
    """ "海外维权", "展会", "老字号": no need read, or a need the plans cannot serve read unsure. The plans write the
    subject, so the reply says which plans do (a claim over every plan) and asks what is wanted of it."""
    silent = wording.text("utter_plans_silent")
    asked = 0
    for subject in kb.subjects.values():
        if subject.broad or not claims.writing(kb, subject) or not subject.user_words:
            continue
        word = sorted(subject.user_words)[0]
        for parse in (
            Parse("nlu_fallback", 0.15, (("nlu_fallback", 0.15), ("affirm", 0.3))),
            Parse("ask_procedure", 0.1, (("ask_procedure", 0.1), ("affirm", 0.05))),
        ):
            reply = answer(kb, needs, wording, word, parse, Conversation())
            if reply.kind != "clarify" or not reply.verdict.startswith(claims.coverage(kb, subject).text(wording)):
                continue  # the word also names a more specific subject, asked about instead
            assert silent not in reply.verdict
            assert [b.payload for b in reply.buttons][-1] == "/human_handoff"
            offered = [b.payload.lstrip("/") for b in reply.buttons[:-1]]
            assert all(n in needs for n in offered) and ("ask_procedure" in offered) == (parse.intent != "nlu_fallback")
            asked += 1
    assert asked >= 20, asked


def test_a_subject_no_plan_writes_still_gets_the_honest_limit(
    kb: KnowledgeBase, needs: dict[str, Need], wording: Wording
) -> None:
    reply = answer(kb, needs, wording, "集成电路布图设计", Parse("nlu_fallback", 0.15, ()), Conversation())
    assert reply.kind == "limit" and reply.verdict == wording.text("utter_plans_silent")
