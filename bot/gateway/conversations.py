"""Conversation ids for the web chat, issued by the gateway: a random part and its HMAC, 44 URL-safe characters.

The id is the only thing that ties a browser tab to its conversation (region, topic, last clauses in Rasa's
tracker). Chosen by the client, anyone could continue — and read the state of — a conversation whose id they
guessed or saw; issued and signed here, an id the gateway did not issue is refused (400), and a random part of
128 bits cannot be guessed. Gateways that share ``CONVERSATION_SECRET`` accept each other's ids; without it each
process makes its own secret (ids then last until it restarts, and the page simply asks for a new one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ID = re.compile(r"[A-Za-z0-9_-]{44}")
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # the old, client-chosen form (test stacks only)


def _mac(secret: bytes, random_part: str) -> str:
    digest = hmac.new(secret, b"ipr-conversation-v1:" + random_part.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def issue(secret: bytes) -> str:
    random_part = secrets.token_urlsafe(16)  # 22 characters, 128 bits
    return random_part + _mac(secret, random_part)


def valid(secret: bytes, conversation: str) -> bool:
    """Exactly an id this gateway (or one sharing its secret) issued: no trailing newline, no other shape."""
    if not ID.fullmatch(conversation):
        return False
    return hmac.compare_digest(_mac(secret, conversation[:22]), conversation[22:])
