"""Personal data out of a message before anyone reviews it or trains on it.

What a question about intellectual property needs is what happened and what is asked, never who asked: phone
numbers, e-mail addresses, ID and card numbers, WeChat or QQ ids, and the names of people or companies. Each is
replaced by a label in 【】 so that a reviewer still sees what kind of thing stood there and the model learns
from the shape of the sentence ("我的电话是【手机号】").

Written to fail safe: any run of seven or more digits is masked, whatever separates the digits (spaces, dashes,
dots) and whatever script writes them (full-width, Arabic-Indic: ``\\d`` matches every Unicode digit), and runs
of Chinese numerals ("一三八……"); a year, a clause number or a sum under a million stays. A few long numbers that
were not personal (an amount in 元, a patent number) are masked too: nothing is lost for training.
Names cannot be found by pattern: a reviewer marks them (``mask_span``), and the words of a registered company
name ("…有限公司") are masked on the way in.
"""

from __future__ import annotations

import re
import unicodedata

from bot.store.text import clean_for_storage

PHONE = "【手机号】"
NUMBER = "【号码】"
ID_NUMBER = "【身份证号】"
CARD = "【卡号】"
EMAIL = "【邮箱】"
ACCOUNT = "【账号】"
COMPANY = "【单位名称】"
NAME = "【姓名】"
LABELS = (PHONE, NUMBER, ID_NUMBER, CARD, EMAIL, ACCOUNT, COMPANY, NAME)
MARKABLE = {"name": NAME, "company": COMPANY, "number": NUMBER}  # what a reviewer can mark by hand

_EMAIL = re.compile(r"[\w.+-]+\s*@\s*[\w-]+(?:\s*\.\s*[\w-]+)+")
# WeChat / QQ ids named as such ("微信：abc_123", "vx abc123", "QQ号 12345"): the id is the next token
_ACCOUNT = re.compile(
    r"(?i)(微信号?|weixin|wechat|vx|v信|wx|qq号?|扣扣|钉钉号?|飞书号?)\s*(?:号码|号|id)?\s*[:：是为]?\s*"
    r"([A-Za-z0-9][-_A-Za-z0-9]{4,29})"
)
# digits with at most one separator between them, at least seven of them (a landline without its area code)
_DIGITS = re.compile(r"(?:\+\s*)?\d(?:[\s\-.·/]?\d){6,}(?:\s*[Xx](?![A-Za-z]))?")
_CHINESE_DIGITS = re.compile(r"[〇零一二三四五六七八九幺两]{7,}")
_COMPANY_END = re.compile(r"股份有限公司|有限责任公司|有限公司")
# where a company's name begins, read backwards from its 有限公司: after a word that ends a clause or links two
# parties (被宁波某某有限公司起诉 → 【单位名称】, not 被 as well), else at most MAX_COMPANY_NAME characters back
_BEFORE_COMPANY = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9（）()]|[被和与跟给向对让叫在是的了把从同及或]")
MAX_COMPANY_NAME = 16


def _number_label(match: re.Match[str]) -> str:
    digits = "".join(str(unicodedata.digit(ch)) for ch in match.group(0) if ch.isdigit())
    if match.group(0).rstrip().upper().endswith("X") or len(digits) in (15, 18):
        return ID_NUMBER
    if (len(digits) == 11 and digits.startswith("1")) or (len(digits) == 13 and digits.startswith("861")):
        return PHONE
    if 16 <= len(digits) <= 19:
        return CARD
    return NUMBER


def mask(text: str) -> str:
    """The text as stored for review: cleaned (``clean_for_storage``) and with personal data replaced."""
    clean = clean_for_storage(text)
    clean = _EMAIL.sub(EMAIL, clean)
    clean = _ACCOUNT.sub(lambda m: f"{m.group(1)}{ACCOUNT}", clean)
    clean = _DIGITS.sub(_number_label, clean)
    clean = _CHINESE_DIGITS.sub(NUMBER, clean)
    return _mask_companies(clean)


def _mask_companies(text: str) -> str:
    out, kept = [], 0
    for end in _COMPANY_END.finditer(text):
        start = end.start()
        while start > max(kept, end.start() - MAX_COMPANY_NAME) and not _BEFORE_COMPANY.match(text[start - 1]):
            start -= 1
        out += [text[kept:start], COMPANY]
        kept = end.end()
    return "".join(out) + text[kept:]


def mask_span(text: str, span: str, kind: str) -> str:
    """Every occurrence of ``span`` (a name the reviewer marked) replaced by the label of ``kind``."""
    label = MARKABLE[kind]
    span = span.strip()
    if not span or span in LABELS:
        return text
    return text.replace(span, label)


def personal_data_left(text: str) -> list[str]:
    """What ``mask`` would still find (for tests and for a last check before an example is written)."""
    found = [m.group(0) for m in (*_EMAIL.finditer(text), *_DIGITS.finditer(text), *_CHINESE_DIGITS.finditer(text))]
    return found + [m.group(2) for m in _ACCOUNT.finditer(text)]
