"""What the current turn is about (the user's text, the NLU's intent) and the slots that carry a conversation:
region, topic, the refs last cited, the question waiting for its region, the last question, its need and side, the
last reply's kind.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from bot.answers.model import Parse

REGION_SLOT = "region"
TOPIC_SLOT = "topic"
REFS_SLOT = "last_refs"
PENDING_SLOT = "pending_question"
LAST_QUESTION_SLOT = "last_question"
NEED_SLOT = "need"
SIDE_SLOT = "side"
KIND_SLOT = "last_kind"


def user_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def intent_name(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def intent_confidence(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def parse_of(tracker: Tracker) -> Parse:
    """What the NLU model read in the latest message: intent (the need), its confidence and ranking, and the side
    (``rasa_plugins.side_classifier`` adds it to Rasa's parse data)."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    side = message.get("side") or {}
    return Parse(
        intent=str(intent.get("name") or "") or None,
        confidence=float(intent.get("confidence") or 0.0),
        ranking=tuple(
            (str(entry.get("name")), float(entry.get("confidence") or 0.0))
            for entry in message.get("intent_ranking") or ()
            if entry.get("name")
        ),
        side=str(side.get("name") or "") or None,
        side_confidence=float(side.get("confidence") or 0.0),
    )


def recent_user_texts(tracker: Tracker, count: int = 5) -> list[str]:
    texts = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return texts[-count:]


REPLY_TO_KEYS = ("user", "chat")
_ADDRESS = re.compile(r"[A-Za-z0-9_@.:=+/-]{1,128}")


def reply_address(tracker: Tracker) -> dict[str, str] | None:
    """Where the user's platform takes a message for them (``metadata.reply_to`` of their latest message, set by
    the gateway from the platform's signed callback); None on the web chat, or when it is not well formed."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            found = (event.get("metadata") or {}).get("reply_to")
            if not isinstance(found, dict) or not isinstance(found.get("user"), str):
                return None
            address = {k: v for k, v in found.items() if k in REPLY_TO_KEYS and isinstance(v, str)}
            return address if all(_ADDRESS.fullmatch(v) for v in address.values()) else None
    return None
