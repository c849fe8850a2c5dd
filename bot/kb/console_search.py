"""The hotline console's search: only clauses and tasks whose text holds the searched words, never padding.

An operator on a call types a word or two ("保险", "展会 侵权") and reads the list aloud; a clause that only
resembles the words (人才培养 for 保险, by a shared character) costs them time. So a result must contain a searched
word as written. Each word counts by its rarity in the plans, once in its shortest form ("知识产权保险" holds "保险":
one thing asked); a clause holding less than half of the best clause's weight is left out ("保险怎么办理": clauses
with only "办理" are not about the question). Each result carries the sentence holding the most, and the words, for
the page to highlight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    content = text
    for mention in kb.gazetteer.find_all(text):
        content = content.replace(mention.surface, " ")
    pieces = [p for p in content.split() if len(p) <= 8]
    cut = [*kb.sentences.tokenizer.words(content, inner=False), *kb.sentences.words(content)]
    return tuple(w for w in dict.fromkeys([*pieces, *cut]) if len(w) >= MIN_WORD)


def console_search(kb: KnowledgeBase, question: str, region: str | None = None, limit: int = 20) -> list[Found]:
    """Clauses and tasks (of ``region``, or of the regions the question names, else all) that hold the words."""
    scope = kb.search_scope(question, region)
    words = searched_words(kb, scope.text)
    if not words:
        return []
    # The plans' sentences as the knowledge base split them once (``kb.sentences``), by clause in plan order.
    by_item: dict[str, tuple[Item, list[str]]] = {}
    for row in kb.sentences.rows:
        by_item.setdefault(row.item.ref, (row.item, []))[1].append(row.text)
    everything = [row.text for row in kb.sentences.rows]
    rarity = {w: math.log(1 + len(everything) / (1 + sum(w in text for text in everything))) for w in words}
    found: list[tuple[float, int, int, Found]] = []
    for position, (item, texts) in enumerate(by_item.values()):
        if item.document.slug not in scope.slugs:
            continue
        best: tuple[float, int, str, tuple[str, ...]] | None = None
        for text in texts:
            held = tuple(w for w in words if w in text)
            shortest = [w for w in held if not any(o != w and o in w for o in held)]
            weight = sum(rarity[w] for w in shortest)
            if held and (best is None or (weight, len(held)) > best[:2]):
                best = (weight, len(held), text, held)
        if best is not None:
            weight, count, text, held = best
            found.append((weight, count, position, Found(item, text, tuple(sorted(held, key=len, reverse=True)))))
    if not found:
        return []
    enough = max(weight for weight, _, _, _ in found) * KEEP_SHARE
    found.sort(key=lambda entry: (-entry[0], -entry[1], entry[2]))
    return [f for weight, _, _, f in found if weight >= enough][:limit]
