"""企业微信, 钉钉 and 飞书 through the real stack (gateway process → Rasa → actions → knowledge base): for each, a
region question gets the cited answer with its agency, 查看原文 shows the clause, and 转人工 opens a case that the
staff console lists with the platform as its channel. Feishu's replies are read on the loopback stand-in for its
open API."""

from __future__ import annotations

import json
import re
import uuid

from tests.e2e.channels_support import (
    FeishuApi,
    card_buttons,
    card_text,
    dingtalk,
    feishu,
    feishu_click,
    feishu_text,
    wecom,
    wecom_all,
)
from tests.e2e.conftest import Chat
from tests.e2e.test_fuzz import raw_request, staff_login

CLAUSE = "鼓励保险机构开展知识产权涉外保险业务"  # 贵州 第17条, the 海外维权 clause
CASE = re.compile(r"编号：(IPR\d{8}-\d+)")


def console_case(chat: Chat, case_number: str) -> dict[str, object]:
    """The case as the staff console's API lists it."""
    cookie = staff_login(chat.gateway)
    status, body = raw_request(chat.gateway, "GET", "/staff/api/records", None, {"Cookie": cookie})
    assert status == 200, body
    cases = [c for c in json.loads(body)["cases"] if c["case_number"] == case_number]
    assert len(cases) == 1, case_number
    return cases[0]


def test_wecom_conversation_through_the_real_stack(chat: Chat) -> None:
    user = f"e2e.{uuid.uuid4().hex[:8]}"
    answer = wecom_all(chat.gateway, "贵州企业海外维权找谁？", user)
    assert "牵头单位：省商务厅" in answer and "第17条" in answer and "依据：贵州省" in answer
    options = dict(re.findall(r"^(\d)\. (.+)$", answer, re.M))
    number = next(n for n, title in options.items() if title == "查看原文")
    full = wecom_all(chat.gateway, number, user)
    assert CLAUSE in full and "第17条" in full
    handoff = wecom(chat.gateway, "转人工", user)
    case = console_case(chat, CASE.search(handoff).group(1))  # type: ignore[union-attr]
    assert case["channel"] == "wecom" and str(case["conversation_id"]).startswith("wecom-x")  # "." is hashed
    assert case["region"] == "贵州省"
    assert case["messages"][0] == "贵州企业海外维权找谁?"  # stored NFKC-normalised


def test_dingtalk_conversation_through_the_real_stack(chat: Chat) -> None:
    staff = f"staff{uuid.uuid4().hex[:8]}"
    reply = dingtalk(chat.gateway, "贵州企业海外维权找谁？", staff)
    assert reply["msgtype"] == "actionCard"
    card = reply["actionCard"]
    assert "牵头单位：省商务厅" in card["text"] and "第17条" in card["text"] and "> 依据：贵州省" in card["text"]
    titles = [b["title"] for b in card["btns"]]
    assert "查看原文" in titles and "转人工" in titles
    full = dingtalk(chat.gateway, "查看原文", staff)  # what the button's dtmd link sends
    shown = json.dumps(full, ensure_ascii=False)
    assert CLAUSE in shown
    handoff = dingtalk(chat.gateway, "转人工", staff)
    case_number = CASE.search(json.dumps(handoff, ensure_ascii=False)).group(1)  # type: ignore[union-attr]
    case = console_case(chat, case_number)
    assert case["channel"] == "dingtalk" and case["conversation_id"] == f"dingtalk-{staff}"


def test_dingtalk_group_members_have_conversations_of_their_own(chat: Chat) -> None:
    group = f"cid{uuid.uuid4().hex[:10]}+grp=="
    first = dingtalk(chat.gateway, "云南有海外维权的规定吗", "alice01", group)
    assert "云南" in json.dumps(first, ensure_ascii=False)
    follow_up = dingtalk(chat.gateway, "那西藏呢？", "alice01", group)
    assert "西藏自治区" in json.dumps(follow_up, ensure_ascii=False)  # alice's region carried over
    other = dingtalk(chat.gateway, "那西藏呢？", "bob0002", group)  # bob has no topic yet
    assert json.dumps(other, ensure_ascii=False) != json.dumps(follow_up, ensure_ascii=False)


def test_feishu_conversation_through_the_real_stack(chat: Chat, feishu_api: FeishuApi) -> None:
    user, chat_id = f"ou_{uuid.uuid4().hex[:12]}", f"oc_{uuid.uuid4().hex[:12]}"
    answer = feishu(chat.gateway, feishu_api, feishu_text("贵州企业海外维权找谁？", user, chat_id))
    assert answer["path"].endswith("/reply") and answer["authorization"] == "Bearer t-e2e-token"
    text = card_text(answer)
    assert "牵头单位：省商务厅" in text and "第17条" in text and "依据：贵州省" in text
    buttons = card_buttons(answer)
    full = feishu(chat.gateway, feishu_api, feishu_click(buttons["查看原文"], user, chat_id))
    assert full["path"] == "/open-apis/im/v1/messages?receive_id_type=chat_id" and full["body"]["receive_id"] == chat_id
    assert CLAUSE in card_text(full)
    handoff = feishu(chat.gateway, feishu_api, feishu_click(buttons["转人工"], user, chat_id))
    case = console_case(chat, CASE.search(card_text(handoff)).group(1))  # type: ignore[union-attr]
    assert case["channel"] == "feishu" and case["conversation_id"] == f"feishu-{user}"


def test_feishu_group_mention_through_the_real_stack(chat: Chat, feishu_api: FeishuApi) -> None:
    chat_id = f"oc_{uuid.uuid4().hex[:12]}"
    answer = feishu(chat.gateway, feishu_api, feishu_text("西藏驰名商标有奖励吗", "ou_groupuser1", chat_id, group=True))
    assert "50万元" in card_text(answer)
    assert all(value["chat"] == "group" for value in card_buttons(answer).values())
