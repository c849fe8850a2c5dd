"""The 待标注 inbox: real messages, masked, with the assistant's reading and reply, for a reviewer to confirm,
correct or discard. A confirmation makes a training example (``ReviewedExample``) that keeps the masked text and
the labels with a day and a channel only; undoing it removes the example and puts the message back in the inbox.

Every call is one short transaction on the records database; the caller (the action server, the console) runs it
off its event loop. Labels are checked against what the assistant knows (its needs, regions, subjects) by the
caller's ``Vocabulary``, never trusted from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select, update
from sqlalchemy.orm import Session

from bot.answers.needs import Need
from bot.kb.query import KnowledgeBase
from bot.review.mask import MARKABLE, mask, mask_span
from bot.store.models import ReviewedExample, ReviewItem, utcnow
from bot.store.staff import StaffAudit

MAX_TEXT = 1000  # what the inbox keeps of a message: a training example longer than this teaches nothing more
MAX_REPLY = 600
PAGE_SIZE = 30
SIDES = ("holder", "accused")
STATUSES = ("pending", "confirmed", "discarded")
UNANSWERED_KINDS = ("limit", "not_covered")  # the plans did not answer it: what staff most need to see
CHANNELS = ("web", "wechat", "wecom", "dingtalk", "feishu")
OUT_OF_SCOPE = "out_of_scope"  # Rasa's intent for a message about something else: a label reviewers need too
OUT_OF_SCOPE_LABEL = "与知识产权无关"
SIDE_LABELS = {"holder": "权利人", "accused": "被指控方"}


class ReviewError(ValueError):
    """A Chinese message for the reviewer (a label the assistant does not know, a message already reviewed)."""


@dataclass(frozen=True)
class Incoming:
    """One answered message as the action server saw it."""

    conversation_id: str
    text: str
    intent: str | None
    confidence: float
    side: str | None
    region: str | None
    subject: str | None
    reply_kind: str
    reply_text: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labels:
    """What a reviewer says the message is (checked by ``Vocabulary.labels``)."""

    intent: str
    side: str | None
    region: str | None
    subject: str | None


@dataclass(frozen=True)
class Vocabulary:
    """The labels a reviewer can choose: the need intents, the regions and the subjects the assistant knows."""

    intents: frozenset[str]
    regions: frozenset[str]
    subjects: frozenset[str]

    @classmethod
    def of(cls, kb: KnowledgeBase, needs: dict[str, Need]) -> Vocabulary:
        return cls(
            intents=frozenset((*needs, OUT_OF_SCOPE)),
            regions=frozenset(d.name for d in kb.gazetteer.divisions),
            subjects=frozenset(kb.subjects),
        )

    def labels(self, body: dict[str, Any], item: ReviewItem) -> Labels:
        """The reviewer's labels, each defaulting to the assistant's reading; a ``ReviewError`` for an unknown one."""
        intent = _field(body, "intent", item.intent)
        side = _field(body, "side", item.side)
        region = _field(body, "region", item.region)
        subject = _field(body, "subject", item.subject)
        if intent not in self.intents:
            raise ReviewError("请选择一个需求类别。")
        if side is not None and side not in SIDES:
            raise ReviewError("提问方只能是权利人、被指控方或未说明。")
        if region is not None and region not in self.regions:
            raise ReviewError("请选择收录的地区，或不填。")
        if subject is not None and subject not in self.subjects:
            raise ReviewError("请选择已有的主题，或不填。")
        return Labels(intent, side, region, subject)


def _field(body: dict[str, Any], name: str, default: str | None) -> str | None:
    if name not in body:
        return default
    value = body[name]
    return str(value).strip()[:40] or None if value is not None else None


STAFF_LOOKUP = "console"  # conversations the console opens for an operator's question (``console-<hex>``)


def staff_lookup(conversation_id: str) -> bool:
    """An operator's lookup in the console, not a user's question: kept out of the inbox, the records of
    unanswered questions and the demand report."""
    return conversation_id.startswith(f"{STAFF_LOOKUP}-")


def channel_of(conversation_id: str) -> str:
    """The platform a conversation id names (``wechat-<OpenID>``, ``wecom-…``); ``web`` for the chat page."""
    prefix = conversation_id.partition("-")[0]
    return prefix if prefix in CHANNELS else "web"


def record(engine: Engine, message: Incoming) -> int | None:
    """Put a message in the inbox, masked; None when nothing is left to review once masked (an empty message)."""
    text = mask(message.text)[:MAX_TEXT]
    if not text:
        return None
    with Session(engine) as session, session.begin():
        item = ReviewItem(
            conversation_id=message.conversation_id[:200],
            channel=channel_of(message.conversation_id),
            text=text,
            intent=message.intent,
            confidence=round(float(message.confidence), 4),
            side=message.side if message.side in SIDES else None,
            region=message.region,
            subject=message.subject,
            reply_kind=message.reply_kind,
            reply_text=mask(message.reply_text)[:MAX_REPLY],
            refs=list(message.refs)[:10],
        )
        session.add(item)
        session.flush()
        return item.id


def mark_negative(engine: Engine, conversation_id: str) -> None:
    """A 没用 on an answer: the conversation's latest inbox message is the one it was about."""
    with Session(engine) as session, session.begin():
        latest = select(func.max(ReviewItem.id)).where(ReviewItem.conversation_id == conversation_id[:200])
        session.execute(
            update(ReviewItem).where(ReviewItem.id == latest.scalar_subquery()).values(negative_feedback=True)
        )


@dataclass(frozen=True)
class InboxQuery:
    status: str = "pending"
    channel: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    max_confidence: float | None = None
    unanswered: bool = False
    negative: bool = False
    containing: str | None = None  # words the reviewer searches for in the messages
    order: str = "confidence"  # least confident first (then newest) | newest first
    page: int = 1


def page(engine: Engine, query: InboxQuery) -> tuple[list[ReviewItem], int]:
    """One page of the inbox and the number of messages the filters select."""
    which = _filters(query)
    order = (
        (ReviewItem.confidence.asc(), ReviewItem.id.desc()) if query.order == "confidence" else (ReviewItem.id.desc(),)
    )
    with Session(engine, expire_on_commit=False) as session:
        total = session.scalar(select(func.count(ReviewItem.id)).where(*which)) or 0
        rows = session.scalars(
            select(ReviewItem)
            .where(*which)
            .order_by(*order)
            .offset((max(1, query.page) - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return list(rows), int(total)


def _filters(query: InboxQuery) -> list[ColumnElement[bool]]:
    which: list[ColumnElement[bool]] = [ReviewItem.status == query.status]
    if query.channel:
        which.append(ReviewItem.channel == query.channel)
    if query.since:
        which.append(ReviewItem.created_at >= _day_start(query.since))
    if query.until:
        which.append(ReviewItem.created_at < _day_start(date.fromordinal(query.until.toordinal() + 1)))
    if query.max_confidence is not None:
        which.append(ReviewItem.confidence <= query.max_confidence)
    if query.unanswered:
        which.append(ReviewItem.reply_kind.in_(UNANSWERED_KINDS))
    if query.negative:
        which.append(ReviewItem.negative_feedback.is_(True))
    if query.containing:
        which.append(ReviewItem.text.contains(query.containing, autoescape=True))
    return which


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def confirm(engine: Engine, item_id: int, operator: str, vocabulary: Vocabulary, body: dict[str, Any]) -> int:
    """Confirm (or correct, with the labels in ``body``) a pending message: the id of the training example made."""
    with Session(engine) as session, session.begin():
        item = _pending(session, item_id)
        labels = vocabulary.labels(body, item)
        corrected = (labels.intent, labels.side, labels.region, labels.subject) != (
            item.intent,
            item.side,
            item.region,
            item.subject,
        )
        example = ReviewedExample(
            text=item.text,
            intent=labels.intent,
            side=labels.side,
            region=labels.region,
            subject=labels.subject,
            corrected=corrected,
            read_as=item.intent,
            channel=item.channel,
            asked_on=_aware(item.created_at).date(),
            added_by=operator,
        )
        session.add(example)
        session.flush()
        item.status, item.example_id = "confirmed", example.id
        _reviewed(session, item, operator, "review_correct" if corrected else "review_confirm", _label_text(labels))
        return example.id


def discard(engine: Engine, item_id: int, operator: str) -> None:
    with Session(engine) as session, session.begin():
        item = _pending(session, item_id)
        item.status = "discarded"
        _reviewed(session, item, operator, "review_discard", None)


def mark_reply(engine: Engine, item_id: int, operator: str, verdict: str) -> None:
    """The reviewer's mark on the assistant's reply: good or wrong (the demand report counts them)."""
    if verdict not in ("good", "wrong"):
        raise ReviewError("回答只能标为“回答正确”或“回答有误”。")
    with Session(engine) as session, session.begin():
        item = _item(session, item_id)
        item.reply_verdict = verdict
        session.add(_audit(operator, "review_reply_" + verdict, item.id, None))


def mask_more(engine: Engine, item_id: int, operator: str, span: str, kind: str) -> str:
    """Mask a name the reviewer marked (a person's, a company's, a number the patterns missed); the text now."""
    if kind not in MARKABLE:
        raise ReviewError("只能标记姓名、单位名称或号码。")
    if not span.strip() or len(span) > 60:
        raise ReviewError("请选择要隐去的文字（不超过60个字）。")
    with Session(engine) as session, session.begin():
        item = _pending(session, item_id)
        if span.strip() not in item.text:
            raise ReviewError("所选文字不在这条消息中。")
        item.text = mask_span(item.text, span, kind)
        item.reply_text = mask_span(item.reply_text, span, kind)
        session.add(_audit(operator, "review_mask", item.id, kind))  # never the span itself: it is personal data
        return item.text


def undo(engine: Engine, example_id: int, operator: str) -> bool:
    """Remove a training example; its message goes back to the inbox when the inbox still holds it."""
    with Session(engine) as session, session.begin():
        example = session.get(ReviewedExample, example_id)
        if example is None:
            return False
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.example_id == example_id)
            .values(status="pending", example_id=None, reviewed_by=None, reviewed_at=None)
        )
        session.delete(example)
        session.add(
            StaffAudit(
                account_name=operator, action="review_undo", record_kind="reviewed_examples", record_id=example_id
            )
        )
        return True


def examples(engine: Engine) -> list[ReviewedExample]:
    """Every confirmed example, oldest first (the order they are written to the training data)."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(ReviewedExample).order_by(ReviewedExample.id)).all())


def _pending(session: Session, item_id: int) -> ReviewItem:
    item = _item(session, item_id)
    if item.status != "pending":
        raise ReviewError("这条消息已经处理过了。")
    return item


def _item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id, with_for_update=True)
    if item is None:
        raise LookupError(item_id)
    return item


def _reviewed(session: Session, item: ReviewItem, operator: str, action: str, detail: str | None) -> None:
    item.reviewed_by, item.reviewed_at = operator, utcnow()
    session.add(_audit(operator, action, item.id, detail))


def _audit(operator: str, action: str, item_id: int, detail: str | None) -> StaffAudit:
    return StaffAudit(account_name=operator, action=action, record_kind="review", record_id=item_id, detail=detail)


def _label_text(labels: Labels) -> str:
    return f"{labels.intent} / {labels.side or '-'} / {labels.region or '-'} / {labels.subject or '-'}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
