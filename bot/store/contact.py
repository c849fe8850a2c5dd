"""A contact a user leaves on a handoff case: a phone number, a WeChat id or an e-mail address, validated and
normalised so the operator can call or write back ("138 1234 5678" → "13812345678", "+86-138…" → "13812345678",
"微信号：Wang_Li88" → "Wang_Li88", "Li@Example.COM" → "Li@example.com").

Pure functions; nothing else is taken from the message (a name or an address is not asked for and not kept).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = {"phone": "电话", "wechat": "微信", "email": "邮箱"}
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0\d{2,3})(\d{7,8})")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}")
_WECHAT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")
_LABELS = re.compile(
    r"(我的|本人|联系)?(手机号码|手机号|手机|电话号码|电话|联系方式|微信号|微信|邮箱|电子邮件|email|e-mail)[是为:：\s]*",
    re.I,
)
_WECHAT_LABEL = re.compile(r"微信|wechat|weixin", re.I)


@dataclass(frozen=True)
class Contact:
    kind: str  # phone | wechat | email
    value: str

    @property
    def label(self) -> str:
        return f"{KINDS[self.kind]} {self.value}"


def parse_contact(text: str) -> Contact | None:
    """The contact a short message consists of, or None (a question that happens to contain digits is not one)."""
    raw = unicodedata.normalize("NFKC", text).strip().strip("。.!！")
    if not raw or len(raw) > 80:
        return None
    wechat_labelled = bool(_WECHAT_LABEL.search(raw))
    rest = _LABELS.sub("", raw).strip()
    email = _EMAIL.fullmatch(rest)
    if email:
        local, domain = rest.rsplit("@", 1)
        return Contact("email", f"{local}@{domain.lower()}")
    digits = re.sub(r"[\s()（）-]", "", rest)
    mobile = _MOBILE.fullmatch(digits)
    if mobile and not wechat_labelled:
        return Contact("phone", mobile.group(1))
    landline = _LANDLINE.fullmatch(digits)
    if landline and not wechat_labelled:
        return Contact("phone", f"{landline.group(1)}-{landline.group(2)}")
    if _WECHAT.fullmatch(rest) and (wechat_labelled or rest.lower().startswith("wxid_")):
        return Contact("wechat", rest)
    if wechat_labelled and mobile:  # 微信号就是手机号
        return Contact("wechat", mobile.group(1))
    return None
