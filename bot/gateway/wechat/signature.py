"""WeChat's request signatures: SHA-1 of the sorted parameters, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check(token: str, signature: str, timestamp: str, nonce: str, *extra: str) -> bool:
    """``signature`` (or ``msg_signature`` with the Encrypt field as ``extra``) over token, timestamp, nonce."""
    if not (token and signature and timestamp and nonce) or not signature.isascii():
        return False  # compare_digest cannot compare non-ASCII str: it would raise (a 500), not answer False
    return hmac.compare_digest(sign(token, timestamp, nonce, *extra), signature.lower())
