"""What the current turn is about (the user's text, the NLU's intent) and the slots that carry a conversation:
region, topic, the refs last cited, the question waiting for its region, the last question, the last reply's kind.
"""

from __future__ import annotations

from rasa_sdk import Tracker

REGION_SLOT = "region"
TOPIC_SLOT = "topic"
REFS_SLOT = "last_refs"
PENDING_SLOT = "pending_question"
LAST_QUESTION_SLOT = "last_question"
KIND_SLOT = "last_kind"


def user_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def intent_name(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def intent_confidence(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def recent_user_texts(tracker: Tracker, count: int = 5) -> list[str]:
    texts = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return texts[-count:]
