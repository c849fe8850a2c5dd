"""Freshness of signed WeChat requests: a timestamp within ``WINDOW`` seconds of now (``channels.base.fresh``), and a
nonce that is used once.

In plain mode WeChat's signature covers token, timestamp and nonce only — not the body. Without these checks a
signed URL captured once (in a log, a proxy, a browser history) could be replayed for ever with any body, posing
as any user. A request is refused (403) when its timestamp is more than ``WINDOW`` seconds away from the gateway's
clock, or when its (timestamp, nonce) pair was already used for a *different* request body (in plain mode the pair
is bound to the body's hash, so not even the text of the same user's message can change; in safe mode the
signature covers the body). The same pair with the same body is WeChat retrying a delivery: that is let through, and the de-duplication answers it from the first
delivery's answer without asking Rasa again.
"""

from __future__ import annotations

import hashlib

WINDOW = 300  # seconds: WeChat's own SDKs accept this much clock difference
NONCE_TTL = 2 * WINDOW  # a nonce is remembered for as long as its timestamp could still pass


def nonce_key(timestamp: str, nonce: str) -> str:
    return f"{timestamp}:{nonce[:64]}"


def body_tag(body: bytes) -> str:
    """What a signed pair is bound to when the signature does not cover the body: the body itself (its SHA-256), so
    the pair cannot carry another sender, conversation, message id or text."""
    return hashlib.sha256(body).hexdigest()
