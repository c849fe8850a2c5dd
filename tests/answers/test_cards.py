"""Step cards in answers: chosen from what was read (need, side, subjects) for the user's region, every step citing
that region's plan in the card's order, the verdict leading with what the user can do; no card without a region
or for a question that is no situation of the step data. The questions are written for these tests."""

from __future__ import annotations

import pytest

from bot.answers.cards import in_users_terms
from bot.answers.compose import answer
from bot.answers.contacts import with_contacts
from bot.answers.model import AgencyContact, Answer, Conversation, Parse
from bot.answers.needs import Need
from bot.answers.render import plain_text
from bot.answers.steps import StepBook, load_steps, without_stop
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.settings import Settings

REGIONS = {"guizhou": "贵州", "yunnan": "云南", "baode": "保德县", "xizang": "西藏", "guangxi": "广西"}
# situation → a question of it (the region is put in front), the need and side the model would read
ASKED = {
    "online_fakes": ("有人在淘宝上卖我们品牌的假货怎么办", "resolve_dispute", "holder"),
    "copied": ("我们的外观设计专利被别人抄袭了怎么办", "resolve_dispute", "holder"),
    "squatted": ("我们的商标被人恶意抢注了怎么办", "resolve_dispute", "holder"),
    "accused": ("我们公司被人起诉侵权了该怎么应对", "respond_accusation", "accused"),
    "abroad": ("参展的产品被海关扣了怎么办", "resolve_dispute", "holder"),
    "money": ("企业能买知识产权保险吗", "seek_support", None),
}


@pytest.fixture(scope="module")
def book() -> StepBook:
    return load_steps(Settings().steps_dir)


@pytest.fixture()
def ask(kb: KnowledgeBase, needs: dict[str, Need], wording: Wording, book: StepBook):  # type: ignore[no-untyped-def]
    def asking(text: str, need: str, side: str | None = None) -> Answer:
        decided = answer(kb, needs, wording, text, Parse.of(need, side), Conversation())
        return in_users_terms(kb, book, wording, decided)

    return asking


@pytest.mark.parametrize("slug", REGIONS)
@pytest.mark.parametrize("situation", ASKED)
def test_the_card_of_each_situation_cites_its_regions_plan_in_order(
    ask, book: StepBook, wording: Wording, situation: str, slug: str
) -> None:  # type: ignore[no-untyped-def]
    question, need, side = ASKED[situation]
    reply = ask(REGIONS[slug] + question, need, side)
    named = book.situations[situation].asked(reply.subjects)
    if named and not any(s.written for s in book.situations[situation].steps[slug] if s.kind in named):
        # what the user named is a step this plan is silent on (商标恶意注册 in 保德): said first, then the card
        silent = next(s for s in book.situations[situation].steps[slug] if s.kind in named)
        assert reply.card is not None and reply.verdict == silent.silent, plain_text(reply, wording)
        return
    # what the plans cannot decide stays a limit (how to defend a suit), the card after it
    assert reply.kind in (("answer", "limit") if situation == "accused" else ("answer",))
    assert reply.card is not None, plain_text(reply, wording)
    assert reply.card.situation == situation and reply.region == slug
    written = book.situations[situation].steps[slug]
    assert [s.kind for s in reply.card.steps] == list(book.situations[situation].kinds)
    for step, data in zip(reply.card.steps, written, strict=True):
        if data.written:
            assert step.cited is not None and step.cited.item.ref == data.ref
            assert step.cited.item.document.slug == slug and step.cited.sentences == (data.sentence,)
        else:
            assert step.cited is None and step.silent == data.silent
    assert {c.item.document.slug for c in reply.cited} == {slug}
    lead = book.situations[situation].leading((need, *reply.subjects), written)
    led = reply.notes[0] if reply.kind == "limit" else reply.verdict
    assert lead is not None and led.startswith(without_stop(str(lead.do)))
    assert reply.cited[0].item.ref == lead.ref  # the first citation is what the verdict rests on


def test_the_card_reads_as_numbered_steps_with_each_clause_and_its_lead_unit(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("贵州有人在拼多多上卖我们品牌的假货怎么办", "resolve_dispute", "holder")
    lines = plain_text(reply, wording).splitlines()
    steps = [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [line[:2] for line in steps] == ["1.", "2.", "3.", "4.", "5."]
    assert "贵州省 第1条" in steps[0] and "贵州省 第15条；牵头单位：省商务厅" in steps[1]
    assert "贵州省 第13条；牵头单位：省市场监管局" in steps[2]
    assert steps[3] == "4. 寻求维权援助：贵州的方案没有写到网上侵权的维权援助渠道。"
    # the verdict's step (the platform, for a dispute over fakes sold online) quoted under it, then the summary
    assert reply.verdict.startswith("向网站或电商平台投诉侵权") and reply.refs[0] == "guizhou/15"
    assert (
        reply.notes[0]
        == "「指导各类网站主办者规范管理，完善侵权投诉受理机制，快速处理维权诉求和侵权纠纷。」——贵州省 第15条"
    )
    assert "寻求维权援助（方案未写）" in reply.notes[1]
    assert [b.title for b in reply.buttons] == ["第1步原文", "第2步原文", "第3、5步原文", "转人工"]
    assert reply.buttons[2].payload == '/show_clause{"ref": "guizhou/13"}'
    assert reply.advice and "仅供参考" in lines[-1]


def test_a_user_asking_where_to_complain_is_told_the_platform_first(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("云南有人在抖音上卖我们品牌的假货，去哪里投诉", "report_infringement", "holder")
    assert reply.card is not None and reply.card.situation == "online_fakes"
    assert reply.verdict.startswith("可以向电商平台提出删除侵权链接") and reply.refs[0] == "yunnan/10"


def test_no_card_without_a_region_the_region_is_asked_first(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("有人在淘宝上卖我们品牌的假货怎么办", "resolve_dispute", "holder")
    assert reply.kind == "ask_region" and reply.card is None


def test_a_question_that_is_no_situation_gets_no_card(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("贵州有没有知识产权保护中心", "seek_support")
    assert reply.kind == "answer" and reply.card is None and reply.refs[0] == "guizhou/13"


def test_an_accused_asker_never_gets_the_holders_card(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("广西有人说我们在淘宝上卖的货侵权，投诉了我们怎么办", "respond_accusation", "accused")
    assert reply.card is not None and reply.card.situation == "accused"


def test_what_the_plan_is_silent_on_is_said_not_covered_by_another_step(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("云南的企业可以拿专利去质押融资吗", "seek_support")
    assert reply.card is None and reply.verdict.startswith("云南省的方案没有写到知识产权质押融资")
    assert reply.refs[0] != "yunnan/14"  # not led by the insurance step of the money card


def test_who_is_responsible_is_answered_with_the_agency_not_a_step(ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("贵州企业海外维权找谁", "find_agency")
    assert reply.card is None and reply.verdict.startswith("贵州省（征求意见稿）的方案对此有规定（贵州省 第17条）")


def test_an_answer_quoting_a_steps_sentence_leads_with_what_to_do(ask, book: StepBook) -> None:  # type: ignore[no-untyped-def]
    reply = ask("云南的12315投诉举报平台怎么举报", "report_infringement")
    step = book.resting_on(reply.refs[0], reply.cited[0].sentences, ("投诉举报",))
    assert reply.card is None and step is not None
    assert reply.verdict.startswith(without_stop(str(step.do)) + "（云南省 第15条）。")


def test_a_step_whose_clause_names_no_unit_says_so(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("云南有人在淘宝上卖我们品牌的假货怎么办", "resolve_dispute", "holder")
    assert (
        "1. 先保全证据：网店页面和商品链接可以做公证电子存证（云南省 第4条；该方案未列明负责单位）"
        in plain_text(reply, wording).splitlines()
    )


def test_a_card_carries_the_contacts_the_office_configured_for_its_lead_units(ask, wording: Wording) -> None:  # type: ignore[no-untyped-def]
    reply = ask("贵州有人在淘宝上卖我们品牌的假货怎么办", "resolve_dispute", "holder")
    directory = {"省商务厅": AgencyContact("省商务厅", phone="0851-00000000")}
    reached = with_contacts(reply, wording, directory)
    # the card's lead units, first steps first: 省法院 (第1条) has no contact here, 省商务厅 (第15条) has one
    assert "省法院" in str(reached.next_step) and "0851-00000000" in str(reached.next_step)
    assert [c.agency for c in reached.contacts] == ["省商务厅"]


def test_a_holders_dispute_naming_nothing_gets_the_copied_card_an_accused_one_does_not(ask) -> None:  # type: ignore[no-untyped-def]
    holder = ask("西藏我们的东西被人照着做了怎么办", "resolve_dispute", "holder")
    assert holder.card is not None and holder.card.situation == "copied" and holder.subjects == ()
    accused = ask("西藏别人说我们照着他们做了怎么办", "respond_accusation", "accused")
    assert accused.card is None or accused.card.situation == "accused"


def test_a_step_on_a_sentence_of_two_measures_leads_only_an_answer_about_its_own(
    book: StepBook, kb: KnowledgeBase
) -> None:
    # 西藏 第7条: "推进知识产权质押融资、专利保险等工作开展" carries the insurance step; a loan question is not led by it
    sentence = next(s.sentence for s in book.situations["money"].steps["xizang"] if s.kind == "insurance")
    assert sentence is not None and "质押融资" in sentence
    loan = book.resting_on("xizang/7", (sentence,), kb.subjects["financing"].words)
    insured = book.resting_on("xizang/7", (sentence,), kb.subjects["insurance"].words)
    assert loan is None and insured is not None and insured.kind == "insurance"


def test_across_the_plans_the_step_of_the_first_clause_quoted_leads_with_its_region(ask) -> None:  # type: ignore[no-untyped-def]
    insured = ask("有没有专利保险", "seek_support")
    assert insured.region is None and insured.refs[0] == "xizang/7"
    assert insured.verdict.startswith(
        "可以向保险机构咨询、投保专利保险：方案提出推进专利保险等工作（西藏自治区 第7条）。"
    )
    assert "收录的5个地区的方案都写到了知识产权保险" in insured.verdict  # which plans write it, computed, after it
