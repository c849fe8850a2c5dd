"""Nothing invented: every agency, date and number in a reply is in the plan texts.

Replays the development questions (../shared/eval/real_dev.yaml) and questions written for this project through the
answer engine with every need the model could read in them and each side (two turns where the assistant asks for
the region), then checks every agency-like name and every number of each reply against the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from bot.answers.compose import answer
from bot.answers.contacts import contact_targets, with_contacts
from bot.answers.model import AgencyContact, Answer, Conversation, Parse
from bot.answers.needs import load_needs
from bot.answers.render import plain_text
from bot.answers.wording import Wording
from bot.kb.query import KnowledgeBase
from bot.settings import PROJECT_ROOT, Settings

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "real_dev.yaml"
REGIONS = {"guizhou": "贵州", "yunnan": "云南", "baode": "保德县", "xizang": "西藏", "guangxi": "广西"}
OWN_QUESTIONS = [
    "贵州企业海外维权找谁",
    "西藏驰名商标有奖励吗",
    "保德县纠纷调解什么时候完成",
    "保德县知识产权领导组有哪些成员",
    "云南的商标能质押贷款吗",
    "广西有没有专利执行险",
    "有人在淘宝上卖我们的仿品怎么投诉",
]
# An agency as the plans write one: a name ending in an office word (省商务厅, 县司法局, 中国人民银行拉萨中心支行).
AGENCY = re.compile(r"[\u4e00-\u9fff]{1,16}(?:厅|局|委员会|委|法院|检察院|中心支行|监管局|办公室|办|部)")
# What separates names in a reply: punctuation, and the words the replies put before or after them.
SEPARATORS = re.compile(
    r"[，。、：；「」“”‘’()（）\n\s]|牵头单位是|责任单位有|牵头单位|责任单位|可以向其咨询|可向其|可向|咨询具体办理渠道|的方案|等\d+个单位"
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def replies(kb: KnowledgeBase, wording: Wording) -> Iterator[tuple[str, str]]:
    for question, reply in answers(kb, wording):
        yield question, plain_text(reply, wording)


def answers(kb: KnowledgeBase, wording: Wording) -> Iterator[tuple[str, Answer]]:
    needs = load_needs(Settings().needs_file)
    items = yaml.safe_load(DEV_SET.read_text(encoding="utf-8")) if DEV_SET.is_file() else []
    questions = [(q["question"], q.get("region")) for q in items] + [(q, None) for q in OWN_QUESTIONS]
    for question, region in questions:
        for need in needs:
            for side in (None, "holder", "accused"):
                reply = answer(kb, needs, wording, question, Parse.of(need, side), Conversation())
                yield question, reply
                if reply.pending is not None:
                    state = Conversation(pending=reply.pending, need=reply.need, side=reply.side)
                    follow = answer(kb, needs, wording, REGIONS[region or "yunnan"], Parse("inform", 0.9), state)
                    yield question, follow


def knowledge_text(kb: KnowledgeBase, wording: Wording) -> str:
    """Everything a reply may draw names and numbers from: the plans, their metadata, and our own wording."""
    parts = [item.text for item in kb.snapshot.items]
    for document in kb.documents:
        parts += [document.title, document.region, document.dated, document.doc_number or ""]
        parts += [document.leadership_group or "", document.leadership_office or ""]
        parts += [f"{m.name}{m.post}" for m in document.leadership]
    parts += [item.label for item in kb.snapshot.items]
    parts += [item.deadline or "" for item in kb.snapshot.items]
    parts += [a.name for item in kb.snapshot.items for a in item.agencies]
    return "\n".join(parts)


def test_every_agency_date_and_number_of_a_reply_is_in_the_plans(kb: KnowledgeBase, wording: Wording) -> None:
    source = knowledge_text(kb, wording)
    counts = [len(document.leadership) for document in kb.documents] + [
        len(item.agencies) for item in kb.snapshot.items
    ]
    invented = []
    checked = 0
    for question, reply in replies(kb, wording):
        for segment in SEPARATORS.split(reply):
            if AGENCY.fullmatch(segment):
                checked += 1
                if segment not in source:
                    invented.append((question, segment))
        for number in NUMBER.findall(reply):
            checked += 1
            # Counts the reply makes itself ("等12个单位", "5个地区", "成员21人") are derived from the plans.
            if number not in source and int(float(number)) not in {*counts, *range(0, 26)}:
                invented.append((question, number))
    assert checked > 50 and invented == []


# A directory as an office might keep it: one lead unit of 贵州 with every field, one of 云南 with a phone only.
DIRECTORY = {
    ("guizhou", "省商务厅"): AgencyContact(
        "省商务厅", "0851-86000000", "工作日 9:00-17:00", "贵阳市示例路1号", "https://swt.example.gov.cn/"
    ),
    ("yunnan", "省市场监管局"): AgencyContact("省市场监管局", "0871-12315"),
}
PHONE = re.compile(r"(?<![\d-])(?:\d{3,4}-\d{4,8}|1[3-9]\d{9}|\d{5,})(?![\d-])")
WEBSITE = re.compile(r"https?://[A-Za-z0-9.:/_~%?=&#-]+")
ADDRESS = re.compile(r"地址 ([^；（\n]+)")


def test_no_reply_states_a_phone_address_or_website_outside_the_directory_and_the_plans(
    kb: KnowledgeBase, wording: Wording
) -> None:
    listed = [v for c in DIRECTORY.values() for v in (c.phone, c.address, c.website) if v]
    allowed = knowledge_text(kb, wording) + "\n" + "\n".join(listed)
    invented, carried, missing = [], 0, 0
    for question, reply in answers(kb, wording):
        targets = contact_targets(reply)
        found = (
            {name: DIRECTORY[(targets[0], name)] for name in targets[1] if (targets[0], name) in DIRECTORY}
            if targets
            else {}
        )
        text = plain_text(with_contacts(reply, wording, found), wording)
        carried += "0851-86000000" in text or "0871-12315" in text
        missing += "本服务暂未登记" in text
        for stated in [*PHONE.findall(text), *WEBSITE.findall(text), *ADDRESS.findall(text)]:
            if stated not in allowed:
                invented.append((question, stated))
    assert invented == []
    assert carried > 10 and missing > 10  # both cases were met: the test can fail
