"""Numbering styles of the plans and the line patterns built on them.

The five plans number their parts in five ways: ``（一）``/``(一)``, ``1.``, ``（1）``, ``2、`` and section headings
``一、``; 西藏 prints a section heading as ``1. 总体要求和主要目标``. A line is a heading rather than a clause when
its text is short and has no full stop: clauses are whole sentences, headings are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = "[一二三四五六七八九十]+"

# Longest heading seen is 25 characters (云南's sub-section headings); a clause always has a full stop.
MAX_HEADING_LENGTH = 40


def chinese_to_int(numeral: str) -> int:
    """``十七`` → 17, ``二十三`` → 23, ``9`` → 9 (numerals up to 99)."""
    numeral = numeral.strip()
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        return _DIGITS[numeral]
    tens, _, units = numeral.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


@dataclass(frozen=True)
class Numbered:
    """A line that starts with a number: ``style`` says which of the plans' styles it is."""

    style: str  # "cn_comma" 一、 | "cn_paren" （一） | "arabic_paren" （1） | "arabic_dot" 1. | "arabic_comma" 2、
    number: str  # as printed, e.g. "（十七）", "17.", "2、"
    value: int
    rest: str

    @property
    def looks_like_heading(self) -> bool:
        return "。" not in self.rest and len(self.rest) <= MAX_HEADING_LENGTH


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("cn_paren", re.compile(rf"^(?P<number>[（(](?P<value>{_CN_NUMERAL})[)）])\s*(?P<rest>.*)$")),
    ("arabic_paren", re.compile(r"^(?P<number>[（(](?P<value>\d{1,3})[)）])\s*(?P<rest>.*)$")),
    ("cn_comma", re.compile(rf"^(?P<number>(?P<value>{_CN_NUMERAL})、)\s*(?P<rest>.*)$")),
    ("arabic_comma", re.compile(r"^(?P<number>(?P<value>\d{1,3})、)\s*(?P<rest>.*)$")),
    # "1.总体要求" / "1. 总体要求和主要目标" / "1．"; not "2020.": at most three digits, then a non-digit.
    ("arabic_dot", re.compile(r"^(?P<number>(?P<value>\d{1,3})[.．])(?!\d)\s*(?P<rest>.*)$")),
]


def match_numbered(line: str) -> Numbered | None:
    for style, pattern in _PATTERNS:
        found = pattern.match(line)
        if found and found.group("rest"):
            return Numbered(style, found.group("number"), chinese_to_int(found.group("value")), found.group("rest"))
    return None


def display_number(ordinal: int) -> str:
    """How an answer cites a clause whatever its printed style: 第17条."""
    return f"第{ordinal}条"
