"""Freshness of signed WeChat requests: a timestamp within ``WINDOW`` seconds of now, and a nonce that is used once.

In plain mode WeChat's signature covers token, timestamp and nonce only — not the body. Without these checks a
signed URL captured once (in a log, a proxy, a browser history) could be replayed for ever with any body, posing
as any user. A request is refused (403) when its timestamp is more than ``WINDOW`` seconds away from the gateway's
clock, or when its (timestamp, nonce) pair was already used for a *different* message. The same pair with the same
message is WeChat retrying a delivery: that is let through, and the de-duplication answers it from the first
delivery's answer without asking Rasa again.
"""

from __future__ import annotations

import time

WINDOW = 300  # seconds: WeChat's own SDKs accept this much clock difference
NONCE_TTL = 2 * WINDOW  # a nonce is remembered for as long as its timestamp could still pass


def fresh(timestamp: str, now: float | None = None) -> bool:
    """True when ``timestamp`` (Unix seconds, digits only) is within ``WINDOW`` seconds of now."""
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return False
    now = time.time() if now is None else now
    return abs(int(timestamp) - now) <= WINDOW


def nonce_key(timestamp: str, nonce: str) -> str:
    return f"{timestamp}:{nonce[:64]}"
