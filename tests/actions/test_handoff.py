"""转人工 that reaches a person, 有用/没用 on the answer itself, and 转人工 offered when answers do not help — the real
actions, domain, knowledge base and records database, over conversations of several turns (the events a tracker
would hold: the user's text or payload, the bot's messages with their buttons and contract, the slots set)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import resources
from actions.answer import ActionAnswer
from actions.feedback import ActionFeedback
from actions.handoff import ActionHumanHandoff
from actions.resources import records_engine
from actions.service import ActionServiceInfo
from actions.smalltalk import ActionSmalltalk
from bot.store.models import Feedback, HandoffCase
from bot.store.records import update_case
from tests.actions.conftest import parse_data

pytestmark = pytest.mark.usefixtures("own_records")  # a records database of its own per test


class Talk:
    """One conversation: each turn runs an action on a tracker holding every earlier event."""

    def __init__(self, domain: dict[str, Any], sender: str) -> None:
        self.domain, self.sender = domain, sender
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {}

    async def turn(
        self, action: Action, text: str, intent: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        message = parse_data(text, intent)
        event = {"event": "user", "text": text, "parse_data": message, "input_channel": "rest"}
        self.events.append({**event, "metadata": metadata} if metadata else event)
        tracker = Tracker(self.sender, dict(self.slots), message, list(self.events), False, None, None, "action_listen")
        dispatcher = CollectingDispatcher()
        for event in await action.run(dispatcher, tracker, self.domain):
            self.events.append(event)
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        for m in dispatcher.messages:
            data = {"buttons": m.get("buttons") or [], "custom": m.get("custom")}
            self.events.append({"event": "bot", "text": m.get("text"), "data": data})
        return dispatcher.messages


def contract(messages: list[dict[str, Any]]) -> dict[str, Any]:
    custom = messages[-1].get("custom")
    assert isinstance(custom, dict)
    return custom


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


def case_of(sender: str) -> HandoffCase:
    with Session(records_engine()) as session:
        return session.scalars(select(HandoffCase).where(HandoffCase.conversation_id == sender)).one()


async def test_handoff_keeps_the_conversation_and_takes_a_contact(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "web-handoff-1")
    await talk.turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    await talk.turn(ActionAnswer(), "那云南呢", "inform")
    reply = await talk.turn(ActionHumanHandoff(), "/human_handoff", "human_handoff")
    words = text_of(reply)
    number = contract(reply)["case"]["number"]
    assert number in words and f"查询 {number}" in words  # the number and what happens next
    assert "手机号、微信号或邮箱" in words and "180天后自动删除" in words and "不留也可以" in words

    case = case_of("web-handoff-1")
    transcript = case.transcript or []
    assert [t["who"] for t in transcript][:2] == ["user", "bot"]
    assert transcript[0]["text"] == "贵州企业海外维权找谁" and transcript[-1] == {"who": "user", "text": "转人工"}
    assert not any(t["text"].startswith("/") for t in transcript)  # button titles, never payloads
    assert "省商务厅" in " ".join(t["text"] for t in transcript if t["who"] == "bot")
    assert case.regions == ["贵州省", "云南省"] and case.topics == ["海外维权"]  # Chinese names, never ids
    assert "guizhou/17" in (case.cited_refs or [])

    saved = await talk.turn(ActionSmalltalk(), "138 1234 5678", "goodbye")  # NLU's guess does not matter
    assert "电话 13812345678" in text_of(saved) and number in text_of(saved)
    assert (case_of("web-handoff-1").contact, case_of("web-handoff-1").contact_kind) == ("13812345678", "phone")

    status = await talk.turn(ActionAnswer(), f"查询 {number}", "out_of_scope")
    assert "等待工作人员处理" in text_of(status)
    update_case(records_engine(), case.id, "wang", "reply", "已转省商务厅，三个工作日内回电。")
    status = await talk.turn(ActionAnswer(), f"查询{number.lower()}", "out_of_scope")
    assert "工作人员已答复" in text_of(status) and "三个工作日内回电" in text_of(status)
    assert "北京时间" in text_of(status)

    stranger = Talk(domain, "web-stranger")
    seen = text_of(await stranger.turn(ActionAnswer(), f"查询 {number}", "out_of_scope"))
    assert "工作人员已答复" in seen and "三个工作日内回电" not in seen  # the reply is for the one who asked
    assert f"查询 {number} 联系方式后四位" in seen  # and it says how to see it from here
    new_tab = Talk(domain, "web-new-tab")
    proved = text_of(await new_tab.turn(ActionAnswer(), f"查询 {number} 5678", "out_of_scope"))
    assert "三个工作日内回电" in proved and "北京时间" in proved
    also = text_of(await new_tab.turn(ActionAnswer(), f"查询{number}，手机后四位是5678", "out_of_scope"))
    assert "三个工作日内回电" in also
    wrong = text_of(await new_tab.turn(ActionAnswer(), f"查询 {number} 1234", "out_of_scope"))
    assert "三个工作日内回电" not in wrong and "工作人员已答复" not in wrong
    assert f"没有找到与编号 {number} 和联系方式后四位相符的记录" in wrong
    missing = text_of(await stranger.turn(ActionAnswer(), "查询 IPR20200101-99999", "out_of_scope"))
    assert "没有找到编号 IPR20200101-99999" in missing


async def test_a_phone_number_without_an_open_case_is_not_taken_as_a_contact(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "web-no-case")
    reply = await talk.turn(ActionAnswer(), "13812345678", "out_of_scope")
    assert contract(reply)["kind"] != "handoff"


async def test_answers_carry_feedback_buttons_and_feedback_keeps_the_citations(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "web-feedback-1")
    first = await talk.turn(ActionFeedback(), "/feedback_bad", "feedback_bad")  # a first message: nothing to judge
    answer = await talk.turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    assert contract(answer)["feedback"] == [
        {"title": "有用", "payload": "/feedback_good"},
        {"title": "没用", "payload": "/feedback_bad"},
    ]
    cited = [c["ref"] for c in contract(answer)["citations"]]
    good = await talk.turn(ActionFeedback(), "/feedback_good", "feedback_good")
    assert contract(good)["kind"] == "feedback" and contract(first)["kind"] != "feedback"
    with Session(records_engine()) as session:
        rows = session.scalars(select(Feedback).where(Feedback.conversation_id == "web-feedback-1")).all()
    assert [(r.positive, r.clause_refs, r.user_text) for r in rows] == [(True, cited, "贵州企业海外维权找谁")]
    # the question the rated answer answered, never the button's payload


async def test_limits_and_refusals_offer_handoff_without_feedback_buttons(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "web-limit-1")
    for question in ("贵州商标侵权要赔多少钱", "我在贵州卖假货会判几年"):
        reply = await talk.turn(ActionAnswer(), question, "out_of_scope")
        assert contract(reply)["kind"] == "limit" and "feedback" not in contract(reply)
        assert any(b["payload"] == "/human_handoff" for m in reply for b in m.get("buttons") or [])
    assert "连续两次没能帮上您" in text_of(reply)  # the second limit in a row suggests 转人工


async def test_two_unhelpful_answers_in_a_row_suggest_handoff(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "web-unhelpful-1")
    await talk.turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency")
    once = await talk.turn(ActionFeedback(), "/feedback_bad", "feedback_bad")
    assert "连续两次" not in text_of(once) and once[0]["buttons"] == [{"title": "转人工", "payload": "/human_handoff"}]
    await talk.turn(ActionAnswer(), "云南商标被抢注怎么办", "resolve_dispute")
    twice = await talk.turn(ActionFeedback(), "/feedback_bad", "feedback_bad")
    assert "连续两次没能帮上您" in text_of(twice)
    assert twice[0]["buttons"] == [{"title": "转人工", "payload": "/human_handoff"}]


def _office(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    resources.settings.cache_clear()


async def test_the_service_answers_from_its_settings_and_opens_no_case(
    domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _office(
        monkeypatch,
        HOTLINE_NUMBER="0851-86000000",
        SERVICE_HOURS="工作日 9:00–17:00",
        HANDOFF_RESPONSE_TIME="1个工作日",
    )
    talk = Talk(domain, "web-service-1")
    phone = await talk.turn(ActionServiceInfo(), "人工客服电话多少", "ask_hotline")
    assert "0851-86000000" in text_of(phone) and "工作日 9:00–17:00" in text_of(phone)
    assert contract(phone)["kind"] == "service" and contract(phone)["service"]["hotline"] == "0851-86000000"
    assert [b["payload"] for b in phone[-2]["buttons"]] == ["/human_handoff"]  # a person, offered, not opened
    hours = text_of(await talk.turn(ActionServiceInfo(), "你们几点上班", "ask_service_hours"))
    assert "人工服务时间：工作日 9:00–17:00" in hours
    wait = text_of(await talk.turn(ActionServiceInfo(), "多久回复", "ask_response_time"))
    assert "1个工作日内答复" in wait
    with Session(records_engine()) as session:
        assert session.scalars(select(HandoffCase)).first() is None

    reply = await talk.turn(ActionHumanHandoff(), "/human_handoff", "human_handoff")
    assert "预计1个工作日内答复（人工服务时间：工作日 9:00–17:00）" in text_of(reply)
    assert contract(reply)["case"]["response_time"] == "1个工作日"


async def test_without_settings_the_service_says_nothing_was_published_and_invents_no_number(
    domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HOTLINE_NUMBER", "SERVICE_HOURS", "HANDOFF_RESPONSE_TIME"):
        monkeypatch.delenv(name, raising=False)
    resources.settings.cache_clear()
    talk = Talk(domain, "web-service-2")
    words = text_of(await talk.turn(ActionServiceInfo(), "有没有电话可以直接打", "ask_hotline"))
    assert "暂未公布人工热线电话" in words and not re.search(r"\d{3,}", words)
    assert "暂未公布人工服务时间" in text_of(await talk.turn(ActionServiceInfo(), "周末有人吗", "ask_service_hours"))
    assert "暂未公布答复时限" in text_of(await talk.turn(ActionServiceInfo(), "多久回复", "ask_response_time"))
    promise = text_of(await talk.turn(ActionHumanHandoff(), "/human_handoff", "human_handoff"))
    assert "暂未公布答复时限" in promise and "预计" not in promise


async def test_a_question_about_the_field_read_as_the_hotline_is_answered_from_the_plans(
    domain: dict[str, Any],
) -> None:
    talk = Talk(domain, "web-service-3")
    reply = await talk.turn(ActionServiceInfo(), "云南举报侵权假冒打哪个电话", "ask_hotline")
    assert contract(reply)["kind"] in ("answer", "limit", "ask_region", "clarify") and "人工热线" not in text_of(reply)
    # 云南's plan writes 侵权假冒: never "the plans do not write it" (which a need-less reading used to say)
    assert "没有写到这个问题" not in text_of(reply)


async def test_a_case_from_a_platform_keeps_where_the_reply_reaches_the_user(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "wecom-corp1-zhangsan")
    await talk.turn(ActionAnswer(), "贵州企业海外维权找谁", "find_agency", {"channel": "wecom"})
    where = {"channel": "wecom", "reply_to": {"user": "zhangsan"}}
    await talk.turn(ActionHumanHandoff(), "转人工", "human_handoff", where)
    assert case_of("wecom-corp1-zhangsan").reply_to == {"user": "zhangsan"}

    web = Talk(domain, "web-no-platform")
    await web.turn(ActionHumanHandoff(), "转人工", "human_handoff")
    assert case_of("web-no-platform").reply_to is None
    forged = Talk(domain, "dingtalk-odd")  # an address that is not one: nothing is sent anywhere
    await forged.turn(ActionHumanHandoff(), "转人工", "human_handoff", {"reply_to": {"user": "a b\n<x>"}})
    assert case_of("dingtalk-odd").reply_to is None


async def test_a_case_knows_the_region_the_user_named_in_their_own_words(domain: dict[str, Any]) -> None:
    talk = Talk(domain, "web-lhasa-1")
    await talk.turn(ActionSmalltalk(), "我们公司在西藏拉萨，商标被人抢注了", "greet")  # no region slot set
    await talk.turn(ActionHumanHandoff(), "转人工", "human_handoff")
    assert case_of("web-lhasa-1").regions == ["西藏自治区"]
