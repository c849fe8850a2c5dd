"""Answers know the version: a note when a cited clause changed from the previous version of its plan, and the
draft's wording when the asker wants it ("征求意见稿里怎么写的")."""

from __future__ import annotations

import difflib
import re

from bot.answers.model import Cited
from bot.answers.wording import Wording
from bot.kb.changelog import change_phrases, version_label
from bot.kb.passages import plan_sentences
from bot.kb.query import KnowledgeBase

DRAFT = re.compile(r"征求意见稿|意见稿|草案|草稿|旧版|原版本|上一版|之前的版本|以前的版本|修改前")
UNCHANGED = ("unchanged",)


def wants_draft(text: str) -> bool:
    return bool(DRAFT.search(text))


def change_notes(kb: KnowledgeBase, wording: Wording, cited: tuple[Cited, ...]) -> tuple[str, ...]:
    """ "本条在第2版（已印发，…）中有修改：牵头单位由省商务厅改为省市场监管局" for each cited clause that changed."""
    notes = []
    for quoted in cited:
        change = kb.latest_change(quoted.item.ref)
        phrases = change_phrases(change) if change is not None and change.kind not in UNCHANGED else []
        if phrases:
            notes.append(
                wording.text(
                    "utter_version_changed",
                    cite=quoted.short_title,
                    version=version_label(quoted.item.document),
                    changes="；".join(phrases),
                )
            )
    return tuple(notes)


def in_draft(kb: KnowledgeBase, cited: tuple[Cited, ...]) -> tuple[Cited, ...] | None:
    """The same clauses as the latest 征求意见稿 wrote them, quoting the draft sentence closest to the one quoted
    now; None when no cited plan has a draft other than the version in force."""
    drafts = []
    for quoted in cited:
        if quoted.item.document.status == "征求意见稿":
            continue  # the version in force is itself the draft
        found = kb.in_version(quoted.item.ref, status="征求意见稿")
        if found is None or found.item is None:
            continue
        sentences = plan_sentences(found.item)
        closest = [_closest(sentences, sentence) for sentence in quoted.sentences if sentences]
        drafts.append(Cited(found.item, tuple(dict.fromkeys(closest))))
    return tuple(drafts) or None


def _closest(sentences: list[str], wanted: str) -> str:
    return max(sentences, key=lambda sentence: difflib.SequenceMatcher(None, sentence, wanted).ratio())
