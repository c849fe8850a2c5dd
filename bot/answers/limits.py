"""What the plans cannot decide: one honest line, the nearest measure they do offer, and 转人工 — and the two other
replies that answer no plan clause: one short question back for a vague request, and "the plans do not say".

An accused party is answered neutrally: sentences that call for punishment (严惩, 从重打击 …) are never quoted to them.
"""

from __future__ import annotations

import re

from bot.answers.model import Answer, Button, Cited, Conversation
from bot.answers.needs import needs
from bot.answers.questions import QuestionReading
from bot.answers.wording import Wording
from bot.kb.errors import QueryError, RegionNotCovered
from bot.kb.passages import Passage
from bot.kb.query import KnowledgeBase
from bot.kb.regions import RegionMention

# Sentences an accused party is not shown: the plans' calls to punish are not an answer to "how do I respond".
PUNITIVE = re.compile(r"严惩|从重|严厉打击|打击|惩罚性|黑名单|失信|入罪|重拳|严格执行.*犯罪")

# What the plans offer anyone in a dispute: the nearest measure to point to when they cannot decide the question.
NEAREST_WORDS = {"维权援助": 0.3, "援助": 0.2, "调解": 0.3, "投诉举报": 0.3, "举报投诉": 0.3, "仲裁": 0.2}

NEAREST_PATTERN = re.compile(
    r"维权援助|援助|调解|仲裁|投诉举报|举报投诉|12315|快速处理|鉴定|判断标准|信息服务|检索|商业秘密|恶意注册|恶意抢注|评价报告"
)

# Categories where a measure is worth pointing to; a sentence or a fine is not helped by a 调解 clause.
NEAREST_FOR = {"judgment", "procedure", "other_law", "platform_rule", "law"}


def accused_asks_a_measure(reading: QuestionReading) -> bool:
    """An accused party asking how to respond to a complaint about a named right (外观专利 投诉 → 评价报告)."""
    return bool(re.search(r"申诉|应对|反通知", reading.text)) and bool(
        re.search(r"专利|外观|实用新型|商标|著作权|版权", reading.text)
    )


def limit_answer(
    kb: KnowledgeBase,
    wording: Wording,
    reading: QuestionReading,
    mention: RegionMention | None,
    state: Conversation,
) -> Answer:
    category = reading.limit or "accused"
    verdict = wording.text(f"utter_limit_{category}")
    notes: list[str] = []
    cited: tuple[Cited, ...] = ()
    if category in NEAREST_FOR or reading.accused:
        nearest = nearest_measure(kb, reading, mention, state)
        if nearest is not None:
            cited = (Cited(nearest.item, (nearest.sentence,)),)
            notes.append(wording.text("utter_limit_nearest", cite=cited[0].short_title))
    return Answer(
        "limit",
        verdict,
        cited,
        region=cited[0].item.document.slug if cited else None,
        notes=tuple(notes),
        next_step=wording.text("utter_limit_next_step"),
        buttons=(Button("转人工", "/human_handoff"),),
        advice=True,
    )


def nearest_measure(
    kb: KnowledgeBase, reading: QuestionReading, mention: RegionMention | None, state: Conversation
) -> Passage | None:
    slugs: set[str] | None = None
    if mention is not None:
        try:
            slugs = kb.scope_for(mention).slugs
        except RegionNotCovered:
            slugs = None
    elif state.province:
        try:
            slugs = kb.scope(state.province).slugs
        except QueryError:
            slugs = None
    try:
        extra = {**NEAREST_WORDS, **needs(reading, kb.topics.values())}
        ranked = kb.passages(reading.text, slugs, (), offers_a_measure, limit=3, extra_terms=extra)
    except QueryError:
        return None
    return ranked[0] if ranked else None


def offers_a_measure(sentence: str) -> bool:
    return bool(NEAREST_PATTERN.search(sentence)) and not PUNITIVE.search(sentence)


def not_punitive(sentence: str) -> bool:
    return not PUNITIVE.search(sentence)


def clarify_answer(wording: Wording) -> Answer:
    return Answer(
        "clarify",
        wording.text("utter_clarify_infringement"),
        buttons=(
            Button("我的权利被侵犯了", "我的商标被别人侵权了怎么办"),
            Button("我被投诉侵权", "我们被投诉外观专利侵权，该怎么申诉"),
            Button("网上有人卖假货", "有人在网上卖我们品牌的假货怎么办"),
            Button("作品被盗用", "我的作品被别人盗用了怎么维权"),
            Button("转人工", "/human_handoff"),
        ),
    )


def nothing_found(kb: KnowledgeBase, wording: Wording, question: str, topic: str | None) -> Answer:
    return Answer(
        "limit",
        wording.text("utter_plans_silent"),
        topic=topic,
        next_step=wording.text("utter_limit_next_step"),
        buttons=(Button("能问什么", "/what_can_you_do"), Button("转人工", "/human_handoff")),
        record_unanswered=True,
    )
