"""Step cards through the real model: a situation asked the way a shop owner would, the region asked for, then the
steps of that region's plan, numbered, in order, each with its clause and 查看原文 — and what the plan is silent on
said in its place. The questions are written for these tests, not taken from the evaluation sets."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.e2e.channels_support import wecom_all
from tests.e2e.conftest import Chat


def contract(replies: list[dict[str, Any]]) -> dict[str, Any]:
    custom = replies[-1].get("custom")
    assert isinstance(custom, dict), replies
    return custom


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text")) for r in replies if r.get("text"))


def asked_then(chat: Chat, question: str, region: str) -> list[dict[str, Any]]:
    """The question, the region question it gets (or, for what the plans cannot decide, the honest limit with the
    regions to choose), and the reply to the region."""
    sender = f"card-{uuid.uuid4().hex[:12]}"
    first = contract(chat.send(sender, question))
    assert first["kind"] in ("ask_region", "limit"), first
    return chat.send(sender, region)


def test_fakes_sold_online_in_guizhou_get_the_five_steps_of_guizhous_plan(chat: Chat) -> None:
    replies = asked_then(chat, "淘宝上有人卖我们品牌的假货，怎么办", "贵州")
    custom = contract(replies)
    assert custom["kind"] == "answer" and custom["region"] == "guizhou" and custom["situation"] == "online_fakes"
    card = custom["answer"]["card"]
    assert [s["label"] for s in card["steps"]] == [
        "保全证据",
        "向平台投诉",
        "投诉举报",
        "寻求维权援助",
        "调解、仲裁或诉讼",
    ]
    assert [s.get("ref") for s in card["steps"]] == ["guizhou/1", "guizhou/15", "guizhou/13", None, "guizhou/13"]
    text = texts(replies)
    lines = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [line[:2] for line in lines] == ["1.", "2.", "3.", "4.", "5."]
    assert "贵州省 第15条；牵头单位：省商务厅" in lines[1] and "4. 寻求维权援助：贵州的方案没有写到" in lines[3]
    titles = [b["title"] for r in replies for b in r.get("buttons") or []]
    assert titles == ["第1步原文", "第2步原文", "第3、5步原文", "转人工"]
    assert "仅供参考，不构成法律意见" in text


def test_a_steps_button_shows_its_clause(chat: Chat) -> None:
    sender = f"card-{uuid.uuid4().hex[:12]}"
    chat.send(sender, "拼多多上有人卖我们牌子的仿冒品怎么处理")
    replies = chat.send(sender, "云南")
    assert contract(replies).get("situation") == "online_fakes"
    button = next(b for r in replies for b in r.get("buttons") or [] if b["title"] == "第2步原文")
    shown = texts(chat.send(sender, button["payload"]))
    assert "《关于强化知识产权保护的实施意见》第10条" in shown and "依法及时删除侵权假冒等内容" in shown


@pytest.mark.parametrize(
    ("question", "region", "situation", "slug"),
    [
        ("我们的外观设计被人抄袭了怎么办", "云南", "copied", "yunnan"),
        ("我们被人起诉侵犯专利了怎么办", "广西", "accused", "guangxi"),
        ("我们的商标被别人抢先注册了怎么办", "西藏", "squatted", "xizang"),
    ],
)
def test_each_situation_gets_its_card_for_the_region(
    chat: Chat, question: str, region: str, situation: str, slug: str
) -> None:
    custom = contract(asked_then(chat, question, region))
    assert custom.get("situation") == situation, custom
    refs = [c["ref"] for c in custom["citations"]]
    assert refs and all(ref.startswith(slug + "/") for ref in refs)


def test_a_work_channel_gets_the_card_as_numbered_text_with_the_original_per_step(chat: Chat) -> None:
    user = f"e2e.{uuid.uuid4().hex[:8]}"
    wecom_all(chat.gateway, "抖音上有人卖我们品牌的假货，怎么处理", user)
    card = wecom_all(chat.gateway, "广西", user)
    steps = re.findall(r"^([1-5])\. (.+)$", card, re.M)
    assert "第10条" in card and "依据：广西壮族自治区" in card
    options = {title: number for number, title in re.findall(r"^(\d)\. (第.+步原文|转人工)$", card, re.M)}
    assert {"第1步原文", "第2步原文", "转人工"} <= set(options), card
    assert len(steps) >= 5  # the five steps (the options are numbered too)
    shown = wecom_all(chat.gateway, options["第2步原文"], user)
    assert "第10条" in shown and "删除侵权内容" in shown
