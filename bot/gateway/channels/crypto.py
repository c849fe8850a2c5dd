"""Signatures and ciphers of the three platforms, on ``hmac``/``hashlib`` and the ``cryptography`` library only.

- 企业微信: the same scheme as the 公众号's safe mode (``msg_signature`` = SHA-1 of the sorted token, timestamp, nonce
  and ciphertext; AES-256-CBC with the EncodingAESKey, the CorpID as receiver id) — ``WeChatCrypto`` and
  ``signature.sign`` of ``bot.gateway.wechat`` are reused, not copied.
- 钉钉: ``sign`` = Base64(HMAC-SHA256(AppSecret, timestamp + "\\n" + AppSecret)), timestamp in milliseconds.
- 飞书: AES-256-CBC with key SHA-256(Encrypt Key), the IV the first 16 bytes of the Base64 ciphertext, PKCS#7;
  ``X-Lark-Signature`` = SHA-256 hex of timestamp + nonce + Encrypt Key + the raw body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class ChannelCryptoError(ValueError):
    pass


def dingtalk_sign(app_secret: str, timestamp: str) -> str:
    digest = hmac.new(app_secret.encode(), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_check(app_secret: str, timestamp: str, sign: str) -> bool:
    if not (app_secret and timestamp and sign):
        return False
    return hmac.compare_digest(dingtalk_sign(app_secret, timestamp).encode(), sign.encode("utf-8", "replace"))


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256(timestamp.encode() + nonce.encode() + encrypt_key.encode() + body).hexdigest()


def feishu_check(timestamp: str, nonce: str, encrypt_key: str, body: bytes, signature: str) -> bool:
    if not (timestamp and nonce and signature):
        return False
    expected = feishu_signature(timestamp, nonce, encrypt_key, body)
    return hmac.compare_digest(expected.encode(), signature.lower().encode("utf-8", "replace"))


class FeishuCipher:
    def __init__(self, encrypt_key: str) -> None:
        self._key = hashlib.sha256(encrypt_key.encode("utf-8")).digest()

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ChannelCryptoError("encrypt is not valid base64") from error
        if len(data) < 32 or len(data) % 16:
            raise ChannelCryptoError("encrypt has the wrong length")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(data[:16])).decryptor()
        padded = decryptor.update(data[16:]) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            plain = unpadder.update(padded) + unpadder.finalize()
            return plain.decode("utf-8")
        except (ValueError, UnicodeDecodeError) as error:
            raise ChannelCryptoError("bad padding or not UTF-8") from error

    def encrypt(self, plain: str) -> str:
        """What Feishu does (used by tests and the benchmark to post encrypted events)."""
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plain.encode("utf-8")) + padder.finalize()
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(iv)).encryptor()
        return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode("ascii")
