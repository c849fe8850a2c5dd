"""What users tell us, kept only as long as needed (PIPL): a retention period and deletion on request.

- ``purge``: everything older than ``RETENTION_DAYS`` (default 180) goes — Rasa's tracker events (every message
  of every conversation), handoff cases, feedback, unanswered questions, the review inbox, the staff audit trail
  and expired staff sessions. Confirmed training examples stay: masked text and labels with a day and a channel,
  nothing that leads back to a conversation (``bot.review``). Run it daily (cron, a Kubernetes CronJob): ``python -m bot.store.privacy purge``.
- ``delete_conversation``: one user's data on request, by conversation id (``web-…``, ``wechat-<OpenID>``) or by
  the case number the user was given (``IPR20261130-00012``): the tracker events and every record of it.

A deleted record takes its audit rows with it (who replied to, noted or closed it): they describe a case that no
longer exists, and its number is never given out again (``bot.store.ids``).

Both count what they deleted, table by table, so the operator (and the tests) can see exactly what went.
Rasa's tracker store has its own database (``TRACKER_STORE_URL``); its ``events`` table carries ``sender_id`` and a
Unix ``timestamp`` per event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import column, table

from bot.store.ids import AUDIT_KINDS
from bot.store.models import Feedback, HandoffCase, ReviewItem, UnansweredQuestion, utcnow
from bot.store.staff import StaffAudit, StaffSession

NOTICE = (
    "隐私说明：为回答您的问题、处理转人工请求，我们会保存对话内容{days}天，期满自动删除。"
    "问题可能在去除电话、邮箱、证件号等个人信息后保留，用于改进回答。如需提前删除，请联系热线工作人员并提供案件号。"
)
RECORD_MODELS: dict[str, Any] = {
    "handoff_cases": HandoffCase,
    "feedback": Feedback,
    "unanswered_questions": UnansweredQuestion,
    "review_inbox": ReviewItem,
}
_EVENTS = table("events", column("sender_id"), column("timestamp"))


def privacy_notice(days: int) -> str:
    return NOTICE.format(days=days)


def _has_events(tracker: Engine) -> bool:
    return inspect(tracker).has_table("events")


def purge(records: Engine, tracker: Engine | None, days: int, now: datetime | None = None) -> dict[str, int]:
    """Delete everything older than ``days``; the number of rows deleted per table."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    counts: dict[str, int] = {}
    with Session(records) as session, session.begin():
        audit = 0
        for name, model in RECORD_MODELS.items():
            counts[name], gone = _delete_records(session, model, model.created_at < cutoff)
            audit += gone
        counts["staff_audit"] = audit + _count(session.execute(delete(StaffAudit).where(StaffAudit.at < cutoff)))
        expired = delete(StaffSession).where(StaffSession.expires_at < (now or utcnow()))
        counts["staff_sessions"] = _count(session.execute(expired))
    if tracker is not None and _has_events(tracker):
        with tracker.begin() as connection:
            old = delete(_EVENTS).where(_EVENTS.c.timestamp < cutoff.timestamp())
            counts["tracker_events"] = _count(connection.execute(old))
    return counts


def conversation_of_case(records: Engine, case_number: str) -> str | None:
    with Session(records) as session:
        return session.scalars(
            select(HandoffCase.conversation_id).where(HandoffCase.case_number == case_number.strip().upper())
        ).first()


def delete_conversation(records: Engine, tracker: Engine | None, conversation_id: str) -> dict[str, int]:
    """Delete one conversation's tracker events and records; the number of rows deleted per table."""
    counts: dict[str, int] = {}
    with Session(records) as session, session.begin():
        counts["staff_audit"] = 0
        for name, model in RECORD_MODELS.items():
            counts[name], gone = _delete_records(session, model, model.conversation_id == conversation_id)
            counts["staff_audit"] += gone
    if tracker is not None and _has_events(tracker):
        with tracker.begin() as connection:
            mine = delete(_EVENTS).where(_EVENTS.c.sender_id == conversation_id)
            counts["tracker_events"] = _count(connection.execute(mine))
    return counts


def _delete_records(session: Session, model: Any, which: ColumnElement[bool]) -> tuple[int, int]:
    """Delete the records ``which`` selects and their audit rows: (records, audit rows) deleted."""
    ids = select(model.id).where(which)
    kind = AUDIT_KINDS[model.__tablename__]
    audit = delete(StaffAudit).where(StaffAudit.record_kind == kind, StaffAudit.record_id.in_(ids))
    audit_rows = _count(session.execute(audit))
    return _count(session.execute(delete(model).where(which))), audit_rows


def channel_state_keys(conversation_id: str) -> list[str]:
    """The gateway's Redis keys that hold this conversation's pending parts and options ("继续", numbered choices):
    ``ipr:wechat:user:<OpenID>`` for ``wechat-<OpenID>``, ``ipr:<platform>:user:<conversation>`` for the others."""
    platform, _, rest = conversation_id.partition("-")
    if platform == "wechat" and rest:
        return [f"ipr:wechat:user:{rest}"]
    if platform in ("wecom", "dingtalk", "feishu") and rest:
        return [f"ipr:{platform}:user:{conversation_id}"]
    return []


def forget_channel_state(redis: Any, conversation_id: str) -> int:
    """Delete what the gateways keep in Redis for this conversation (``redis``: a synchronous client); keys deleted.
    Without Redis that state is in a gateway's memory and expires within a day."""
    keys = channel_state_keys(conversation_id)
    return int(redis.delete(*keys)) if keys else 0


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
