"""Safe mode (消息加解密): AES-256-CBC as WeChat specifies it, on the ``cryptography`` library.

key = base64(EncodingAESKey + "="), IV = its first 16 bytes, PKCS#7 padding to 32-byte blocks; the plaintext is
16 random bytes + 4-byte big-endian length + the XML + the AppID, which is checked on the way in.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class WeChatCryptoError(ValueError):
    pass


class WeChatCrypto:
    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        try:
            self._key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except (binascii.Error, ValueError) as error:
            raise WeChatCryptoError("EncodingAESKey is not valid base64") from error
        if len(self._key) != 32:
            raise WeChatCryptoError("EncodingAESKey must be 43 characters (32 bytes)")
        self._app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, xml: str) -> str:
        body = xml.encode("utf-8")
        plain = os.urandom(16) + struct.pack(">I", len(body)) + body + self._app_id
        pad = BLOCK - len(plain) % BLOCK
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as error:
            raise WeChatCryptoError("Encrypt is not valid base64") from error
        if not data or len(data) % 16:
            raise WeChatCryptoError("Encrypt has the wrong length")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise WeChatCryptoError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise WeChatCryptoError("message too short")
        (length,) = struct.unpack(">I", content[:4])
        xml, app_id = content[4 : 4 + length], content[4 + length :]
        if len(xml) != length or app_id != self._app_id:
            raise WeChatCryptoError("AppID does not match")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as error:
            raise WeChatCryptoError("message is not UTF-8") from error
