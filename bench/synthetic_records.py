"""A synthetic record set for the demand report: N conversations spread over six months, written the way the
running assistant writes them — Rasa's ``events`` table (user, action, slot and bot events with Rasa's JSON) in a
tracker database, and handoff cases, feedback and unanswered questions (``bot.store``) beside a freshly built
knowledge base in a records database. Deterministic for a given seed.

    .venv/bin/python -m bench.synthetic_records --conversations 50000 --out /tmp/ipr-records

Some unanswered questions carry invented personal data (a name, a mobile number, a company), so a test can check
that none of it reaches the report.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from bot.answers.needs import load_needs
from bot.kb.db import make_engine
from bot.kb.load import build
from bot.kb.service import open_knowledge_base
from bot.report.sources import EVENTS, TRACKER_METADATA
from bot.settings import Settings
from bot.store.models import Feedback, HandoffCase, UnansweredQuestion
from bot.store.records import ensure_tables

END = datetime(2026, 11, 29, 16, 0, tzinfo=timezone.utc)  # Monday 00:00 Beijing time
DAYS = 182
REGIONS = {"贵州省": 0.3, "云南省": 0.25, "山西省": 0.15, "西藏自治区": 0.1, "广西壮族自治区": 0.2}
SHORT = {"贵州省": "贵州", "云南省": "云南", "山西省": "山西", "西藏自治区": "西藏", "广西壮族自治区": "广西"}
UNCOVERED = ["浙江", "广东", "四川", "杭州"]  # asked about, no plan: the action leaves the region slot alone
UNANSWERED = [
    "直播带货被人盗用我们的视频怎么办",
    "跨境电商平台店铺被投诉侵权冻结资金",
    "数据被爬取算不算侵犯商业秘密",
    "元宇宙数字藏品的著作权归谁",
    "人工智能生成的图片能不能申请版权",
    "短视频平台抄袭我们的商品详情页",
    "外卖平台上有人冒用我们的店名",
    "预制菜配方被前员工带走了",
]
# Invented personal data, different in every conversation as it would be: a name, a mobile number, a company.
PERSONAL = ["我叫{name}，电话{phone}，{company}的商标被抢注了", "联系人{name} {phone}，{company}的外观设计被仿冒"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然欣怡梓涵子轩"
FIRMS = "瑞丰华信安泰博远恒通鑫达宏图金源天成盛世永昌"
OPENERS = ["你好", "您好", "在吗"]


@dataclass
class Conversation:
    sender: str
    clock: float
    rows: list[dict[str, Any]] = field(default_factory=list)
    region: str | None = None
    topic: str | None = None
    refs: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def event(self, type_name: str, data: dict[str, Any], intent: str | None = None, action: str | None = None) -> None:
        self.clock += 0.4
        data = {"event": type_name, "timestamp": self.clock, **data}
        self.rows.append(
            {
                "sender_id": self.sender,
                "type_name": type_name,
                "timestamp": self.clock,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps(data, ensure_ascii=False),
            }
        )

    def user(self, text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> None:
        self.clock += 5 + 40 * random.random()  # the user reads and types
        self.texts.append(text)
        parse = {"intent": {"name": intent, "confidence": 0.93}, "entities": entities or [], "text": text}
        self.event("user", {"text": text, "parse_data": parse, "input_channel": "rest"}, intent=intent)

    def action(self, name: str) -> None:
        self.event("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)

    def slot(self, name: str, value: Any) -> None:
        self.event("slot", {"name": name, "value": value}, action=name)

    def bot(self, text: str) -> None:
        self.event("bot", {"text": text, "data": {"buttons": None}})


def _refs_by_topic(settings: Settings) -> tuple[dict[tuple[str, str], list[str]], list[str], list[str]]:
    kb = open_knowledge_base(settings)
    refs: dict[tuple[str, str], list[str]] = {}
    for item in kb.snapshot.items:
        for topic in item.topics:
            refs.setdefault((topic, item.document.province), []).append(item.ref)
    agencies = sorted({a.name for c in kb.snapshot.clauses for a in c.agencies})
    return refs, sorted(kb.topics), agencies


def _needs() -> list[str]:
    return sorted(load_needs(Settings().needs_file))


def generate(out: Path, conversations: int, seed: int = 14) -> dict[str, Any]:
    """Write ``records.sqlite3`` (knowledge base + records) and ``tracker.sqlite3`` under ``out``."""
    random.seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("records.sqlite3", "tracker.sqlite3"):
        (out / name).unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{out / 'records.sqlite3'}")
    records = make_engine(settings.database_url)
    build(records, settings)
    ensure_tables(records)  # every table of bot.store, the staff accounts and audit trail included, as deployed
    tracker = make_engine(f"sqlite:///{out / 'tracker.sqlite3'}")
    TRACKER_METADATA.create_all(tracker)
    refs, topics, agencies = _refs_by_topic(settings)
    topic_weights = [1.0 / (1 + rank * 0.25) for rank in range(len(topics))]  # a few topics asked far more
    needs = _needs()

    started = time.perf_counter()
    events: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    feedback: list[dict[str, Any]] = []
    unanswered: list[dict[str, Any]] = []
    counts = {"events": 0}
    for number in range(conversations):
        day = random.random() ** 0.8 * DAYS  # more traffic lately
        start = END - timedelta(days=DAYS) + timedelta(days=day)
        conversation = Conversation(f"{random.getrandbits(64):016x}", start.timestamp())
        conversation.action("action_session_start")
        conversation.event("session_started", {})
        conversation.action("action_listen")
        for turn in range(random.choices([1, 2, 3, 4, 5], [30, 30, 20, 12, 8])[0]):
            kind = random.choices(
                ["topic", "agency", "fallback", "greet", "feedback", "handoff"],
                [62, 8, 12, 6 if turn == 0 else 0, 8, 3],
            )[0]
            if kind in ("feedback", "handoff") and not conversation.refs:
                kind = "topic"
            _turn(conversation, kind, needs, topics, topic_weights, refs, agencies, cases, feedback, unanswered)
            conversation.action("action_listen")
        events.extend(conversation.rows)
        if len(events) > 20_000 or number == conversations - 1:
            with tracker.begin() as connection:
                connection.execute(insert(EVENTS), events)
            counts["events"] += len(events)
            events = []
    _store(records, cases, feedback, unanswered)
    records.dispose()
    tracker.dispose()
    return {
        "conversations": conversations,
        "events": counts["events"],
        "handoff_cases": len(cases),
        "feedback": len(feedback),
        "unanswered": len(unanswered),
        "seconds": round(time.perf_counter() - started, 1),
        "records_url": settings.database_url,
        "tracker_url": f"sqlite:///{out / 'tracker.sqlite3'}",
    }


def _turn(
    c: Conversation,
    kind: str,
    needs: list[str],
    topics: list[str],
    weights: list[float],
    refs: dict[tuple[str, str], list[str]],
    agencies: list[str],
    cases: list[dict[str, Any]],
    feedback: list[dict[str, Any]],
    unanswered: list[dict[str, Any]],
) -> None:
    at = datetime.fromtimestamp(c.clock, tz=timezone.utc)
    if kind == "greet":
        c.user(random.choice(OPENERS), "greet")
        c.action("action_greet")
        c.bot("您好！我是知识产权维权助手。")
    elif kind == "topic":
        topic = random.choices(topics, weights)[0]
        need = needs[topics.index(topic) % len(needs)]  # a question's need; its topic is what the answer was about
        if random.random() < 0.06:
            elsewhere = random.choice(UNCOVERED)
            c.user(f"{elsewhere}关于{topic}有什么规定", need, [_entity("region", elsewhere)])
            c.action("action_answer")
            c.bot("暂未收录该地区的方案……")
            return
        named = random.random() < 0.6 or (c.region is None and random.random() < 0.5)
        region = random.choices(list(REGIONS), list(REGIONS.values()))[0] if named else c.region
        mention = SHORT.get(region or "", "") if named else ""
        c.user(f"{mention}关于{topic}有什么规定", need, [_entity("region", mention)] if mention else [])
        c.action("action_answer")
        if named and region != c.region:
            c.region = region
            c.slot("region", region)
        c.topic = topic
        c.slot("topic", topic)
        candidates = refs.get((topic, region or ""), []) or [r for (t, _), rs in refs.items() if t == topic for r in rs]
        c.refs = candidates[:2]
        if c.refs:
            c.slot("last_refs", c.refs)
        c.bot("根据方案……（引用条款）")
    elif kind == "agency":
        name = random.choice(agencies) if random.random() < 0.9 else "某某咨询公司"
        entities = [_entity("agency", name)] if random.random() < 0.85 else []
        c.user(f"{name}负责什么", "agency_duties", entities)
        c.action("action_agency_duties")
        c.refs = random.choice(sorted(refs.values()))[:1]
        c.slot("last_refs", c.refs)
        c.bot("该单位承担的任务……")
    elif kind == "fallback":
        text = random.choice(UNANSWERED) if random.random() < 0.85 else personal()
        c.user(text, "nlu_fallback")
        c.action("action_retrieval_fallback")
        unanswered.append(
            {"conversation_id": c.sender, "text": text, "region": c.region, "suggested_refs": [], "created_at": at}
        )
        c.bot("没有找到完全对应的规定……")
    elif kind == "feedback":
        positive = random.random() < 0.62
        c.user("有用" if positive else "没用", "feedback_good" if positive else "feedback_bad")
        c.action("action_feedback")
        feedback.append(
            {
                "conversation_id": c.sender,
                "positive": positive,
                "clause_refs": list(c.refs),
                "user_text": "有用" if positive else "没用",
                "created_at": at,
            }
        )
        c.bot("谢谢您的反馈。")
    else:
        c.user("转人工", "human_handoff")
        c.action("action_human_handoff")
        cases.append(
            {
                "case_number": f"IPR{at:%Y%m%d}-{len(cases) + 1:05d}",
                "conversation_id": c.sender,
                "channel": "web",
                "region": c.region,
                "topic": c.topic,
                "user_messages": c.texts[-3:],
                "created_at": at,
                "handled": random.random() < 0.7,
            }
        )
        c.bot("已为您转人工，案件编号……")


def _entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value), "extractor": "RegexEntityExtractor"}


def personal() -> str:
    name = random.choice(SURNAMES) + "".join(random.choices(GIVEN, k=2))
    phone = "1" + random.choice("3589") + "".join(random.choices("0123456789", k=9))
    company = "".join(random.choices(FIRMS, k=2)) + "科技有限公司"
    return random.choice(PERSONAL).format(name=name, phone=phone, company=company)


def _store(
    engine: Engine, cases: list[dict[str, Any]], feedback: list[dict[str, Any]], unanswered: list[dict[str, Any]]
) -> None:
    with engine.begin() as connection:
        for table, rows in ((HandoffCase, cases), (Feedback, feedback), (UnansweredQuestion, unanswered)):
            if rows:
                connection.execute(insert(table), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.conversations, args.seed), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
