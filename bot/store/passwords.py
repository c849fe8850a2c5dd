"""Which operator passwords are refused (issue 20 N11: a password of 12 spaces was accepted and worked).

A password must have at least ``MIN_PASSWORD`` characters that are not blanks at either end, at least
``MIN_DISTINCT`` different characters, must not contain the account name, and must not be a common password: the
words and keyboard walks that top every leaked-password list (English and Chinese pinyin ones), with digits and
symbols around them (``password2024!``, ``woaini1314520``, ``qwertyuiop123``) or repeated; nor digits and symbols
only (dates, phone numbers, ``123456789012``). The list (``common_passwords.txt``) is short on purpose: it catches
what an online guesser tries first, and the login throttle does the rest.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

MIN_PASSWORD = 12
MIN_DISTINCT = 5
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")  # one lower-case core a line, "#" comments
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def problem(password: str, name: str = "") -> str | None:
    """Why ``password`` is refused for account ``name`` (a Chinese sentence for the command line), or None."""
    core = password.strip()
    if len(core) < MIN_PASSWORD:
        return f"密码至少需要{MIN_PASSWORD}个字符（首尾空格不计）。"
    if len(set(core.lower())) < MIN_DISTINCT:
        return f"密码至少需要{MIN_DISTINCT}个不同的字符。"
    lowered = core.lower()
    if len(name) >= 3 and name.lower() in lowered:
        return "密码不能包含用户名。"
    word = _EDGES.sub("", lowered)
    if not word:  # digits and symbols only: a date, a phone number, a keyboard row
        return "密码不能只有数字和符号。"
    if lowered in common() or _common(word):
        return "这个密码太常见，很容易被猜到，请换一个。"
    return None


@functools.cache
def common() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _common(word: str) -> bool:
    if word in common():
        return True
    for size in range(1, len(word) // 2 + 1):  # the same word repeated ("adminadminadmin")
        if len(word) % size == 0 and word[:size] * (len(word) // size) == word and word[:size] in common():
            return True
    return False
