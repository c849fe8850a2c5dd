"""The hotline console's search: only clauses and tasks whose text holds the searched words, never padding.

An operator on a call types a word or two ("保险", "展会 侵权") and reads the list aloud; a clause that only
resembles the words (人才培养 for 保险, by a shared character) costs them time. So a result must hold a searched
word as a word, in the answers' own sentence index (``SentenceIndex.holding``: the same sentences, words and
rarities the answers rank with). Each word counts by its rarity in the plans, once in its shortest form
("知识产权保险" holds "保险": one thing asked); a clause holding less than half of the best clause's weight is left out
("保险怎么办理": clauses with only "办理" are not about the question). Each result carries the sentence holding the
most, and the words, for the page to highlight.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb.passages import Group
from bot.kb.query import KnowledgeBase
from bot.kb.views import Item

MIN_WORD = 2  # a single character ("权") matches nearly every sentence
KEEP_SHARE = 0.5  # of the best result's weight that a result must reach


@dataclass(frozen=True)
class Found:
    item: Item
    sentence: str  # the sentence holding the most of the searched words
    words: tuple[str, ...]  # the searched words the sentence holds, longest first (highlighting order)


def searched_words(kb: KnowledgeBase, text: str) -> tuple[str, ...]:
    """The words of a console query: as typed between spaces, as cut, and the dictionary words inside those; region
    names and single characters left out."""
    content = kb.without_regions(text)
    pieces = [p for p in content.split() if len(p) <= 8]
    words, tokens = kb.terms(content)
    cut = [*tokens, *words]
    return tuple(w for w in dict.fromkeys([*pieces, *cut]) if len(w) >= MIN_WORD)


def console_search(kb: KnowledgeBase, question: str, region: str | None = None, limit: int = 20) -> list[Found]:
    """Clauses and tasks (of ``region``, or of the regions the question names, else all) that hold the words."""
    scope = kb.search_scope(question, region)
    words = searched_words(kb, scope.text)
    if not words:
        return []
    # one thing asked per shortest form: 知识产权保险 and 保险 are one group, and nothing held counts twice
    shortest = [w for w in words if not any(o != w and o in w for o in words)]
    groups = [Group(w, frozenset(o for o in words if w in o)) for w in shortest]
    ranked = kb.sentences.holding(groups, scope.slugs)
    if not ranked:
        return []
    enough = ranked[0].score * KEEP_SHARE
    found = []
    for passage in (p for p in ranked if p.score >= enough):
        held = tuple(sorted((w for w in words if w in passage.sentence), key=len, reverse=True))
        found.append(Found(passage.item, passage.sentence, held))
    return found[:limit]
