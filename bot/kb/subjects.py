"""The subject registry (``data/subjects.yml``): what a question is about, in the plans' own words.

A subject groups the words the plans write for one thing (保险业务, 专利执行险, 侵权责任险 …) with the words users
say for it (保险, 投保, 理赔). A message points at a subject when one of either list is among its words; a plan
sentence holds the subject only when one of the *plan* words is among its words. Both sides are cut by the same
``ChineseTokenizer.words``, so nothing is matched inside another word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kb.topics import require_registry_ids


@dataclass(frozen=True)
class Subject:
    id: str
    name: str  # how a reply names it
    plan_words: frozenset[str]
    user_words: frozenset[str]
    broad: bool = False  # a kind of right or act (商标, 假冒): ranks clauses, never alone decides one

    @property
    def words(self) -> frozenset[str]:
        """Every word that points a message at this subject."""
        return self.plan_words | self.user_words


def load_subjects(path: Path) -> tuple[Subject, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    subjects = tuple(
        Subject(
            id=str(entry["id"]),
            name=str(entry["name"]),
            plan_words=frozenset(str(w).lower() for w in entry["plan"]),
            user_words=frozenset(str(w).lower() for w in entry.get("user", ())),
            broad=bool(entry.get("broad", False)),
        )
        for entry in raw["subjects"]
    )
    require_registry_ids(path, "subject", [s.id for s in subjects])
    return subjects


def dictionary_words(subjects: Iterable[Subject]) -> list[str]:
    """Words the jieba dictionary must hold so that a message and a plan sentence cut them whole."""
    return sorted({w for s in subjects for w in s.words if len(w) > 1})
