"""Sentence-level retrieval at word level: which clauses of which plans hold what a question is about.

Every sentence of every clause body (its heading included) and every task is cut into words once
(``ChineseTokenizer.words``: jieba on the project's dictionary, plus the dictionary words inside a longer token). A
query is a list of ``Group``s — the words that count as one match (a subject's plan words, a need's channel words)
and a weight. A clause scores, for each group, the BM25 score of its best sentence holding a word of the group, and
the groups' weighted sum; the quoted sentences are the ones that earned it. Nothing matches inside a word, and what
"a plan writes X" means (``plans_writing``) is the same word-level test the ranking uses, so a statement about the
plans and the clauses quoted for it never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from bot.kb.parse import split_sentences
from bot.kb.views import ClauseView, Item
from bot.text import ChineseTokenizer

SUBWORD_WEIGHT = 0.5  # 举报 inside 举报奖励 is written, but the token is about something else: half a match
HEADING_WEIGHT = 0.7  # a clause's heading ("加强海外维权援助服务。") says what it is about, its body says what is done
TASK_DISCOUNT = 0.75  # a clause states the policy (and names its agencies); a task of 云南's work plan follows it
MAX_QUOTED = 2
# BM25's length normalisation, lower than its 0.75: a plan's sentence that lists several channels (投诉举报、维权援助
# 等渠道, 快速处理电商平台、展会 …) is long because it says more, not because it is less about each of them.
LENGTH_NORMALISATION = 0.3


@dataclass(frozen=True)
class Group:
    """Words that count as one match, and what one match is worth."""

    key: str
    words: frozenset[str]
    weight: float = 1.0
    heading_weight: float = HEADING_WEIGHT  # what a match in a clause's heading is worth against one in its body


@dataclass(frozen=True)
class Sentence:
    item: Item
    text: str
    words: frozenset[str]  # its words, the dictionary words inside its tokens included
    heading: bool


@dataclass(frozen=True)
class Passage:
    """A clause or task, the sentences of it that answer (in plan order), its score and the groups it matched."""

    item: Item
    sentences: tuple[str, ...]
    score: float
    matched: frozenset[str]  # keys of the groups it holds

    @property
    def sentence(self) -> str:
        return self.sentences[0]


class SentenceIndex:
    """Word-level BM25 over every sentence of the knowledge base (about 600). Built once per snapshot."""

    def __init__(self, items: Sequence[Item], tokenizer: ChineseTokenizer) -> None:
        self.tokenizer = tokenizer
        rows: list[Sentence] = []
        for item in items:
            sentences = plan_sentences(item)
            for position, text in enumerate(sentences):
                heading = isinstance(item, ClauseView) and position == 0 and len(sentences) > 1
                rows.append(Sentence(item, text, frozenset(tokenizer.words(text)), heading))
        self.rows = tuple(rows)
        corpus = [list(tokenizer.words(row.text)) or ["∅"] for row in self.rows]
        whole = [frozenset(tokenizer.words(row.text, inner=False)) for row in self.rows]
        self._bm25 = BM25Okapi(corpus, b=LENGTH_NORMALISATION)
        self._postings = _postings(self._bm25, whole)
        self._group_idf: dict[frozenset[str], float] = {}
        self._by_item: dict[str, list[int]] = {}
        for index, row in enumerate(self.rows):
            self._by_item.setdefault(row.item.ref, []).append(index)

    def words(self, text: str) -> tuple[str, ...]:
        return self.tokenizer.words(text)

    def idf(self, word: str) -> float:
        return float(self._bm25.idf.get(word, 0.0))

    def group_idf(self, words: Iterable[str]) -> float:
        """How specific a group is: the idf of "a sentence holds one of these words". Kept for the registry's groups
        (a fixed set); ``holding`` computes a typed query's without keeping them, or any text could grow the cache."""
        wanted = frozenset(words)
        if wanted not in self._group_idf:
            self._group_idf[wanted] = self._specificity(wanted)
        return self._group_idf[wanted]

    def _specificity(self, wanted: frozenset[str]) -> float:
        count = sum(1 for row in self.rows if row.words & wanted)
        return math.log((len(self.rows) - count + 0.5) / (count + 0.5) + 1)

    def plans_writing(self, words: Iterable[str]) -> frozenset[str]:
        """The plans (slugs) with a sentence holding one of these words, as a word."""
        wanted = frozenset(words)
        return frozenset(row.item.document.slug for row in self.rows if row.words & wanted)

    def rank(
        self,
        groups: Sequence[Group],
        allowed: set[str] | frozenset[str] | None = None,
        require: Callable[[frozenset[str]], bool] | None = None,
        limit: int = 8,
    ) -> list[Passage]:
        """Clauses and tasks of the allowed plans (all when None) by their groups' weighted best-sentence scores,
        best first; ``require`` keeps only those whose matched group keys it accepts."""
        best: dict[str, dict[str, tuple[float, int]]] = {}  # item ref → group key → (score, row)
        body: dict[str, dict[str, tuple[float, int]]] = {}  # …the same in the body only: what is quoted
        for group in groups:
            for word in group.words:
                for index, score in self._postings.get(word, ()):
                    row = self.rows[index]
                    if allowed is not None and row.item.document.slug not in allowed:
                        continue
                    weighted = score * (group.heading_weight if row.heading else 1.0)
                    found = best.setdefault(row.item.ref, {})
                    if weighted > found.get(group.key, (0.0, -1))[0]:
                        found[group.key] = (weighted, index)
                    in_body = body.setdefault(row.item.ref, {})
                    if not row.heading and score > in_body.get(group.key, (0.0, -1))[0]:
                        in_body[group.key] = (score, index)
        weights = {g.key: g.weight for g in groups}
        passages = []
        for ref, found in best.items():
            matched = frozenset(found)
            if require is not None and not require(matched):
                continue
            item = self.rows[self._by_item[ref][0]].item
            score = sum(weights[key] * value for key, (value, _) in found.items())
            if item.kind == "task":
                score *= TASK_DISCOUNT
            # the heading says what the clause is about; the quote is what it does (the heading only when alone)
            quoted_from = {key: body.get(ref, {}).get(key, value) for key, value in found.items()}
            passages.append(Passage(item, self._quoted(ref, quoted_from, weights), score, matched))
        passages.sort(key=lambda p: (-p.score, p.item.ref))
        return passages[:limit]

    def holding(self, groups: Sequence[Group], allowed: set[str] | frozenset[str] | None = None) -> list[Passage]:
        """Clauses and tasks by their one sentence holding the most: each group it holds counts by how specific it is
        (``group_idf``), however often or in however long a sentence. What a list read aloud wants: a clause where the
        asked words stand together, and never a clause for a common word alone in a short sentence."""
        specificity = {g.key: g.weight * self._specificity(g.words) for g in groups}
        best: dict[str, tuple[float, int, int, frozenset[str]]] = {}  # ref → (weight, words held, row, groups held)
        for index, row in enumerate(self.rows):
            if allowed is not None and row.item.document.slug not in allowed:
                continue
            held = [g for g in groups if g.words & row.words]
            if not held:
                continue
            weight = sum(specificity[g.key] for g in held)
            count = len({w for g in held for w in g.words & row.words})  # 知识产权保险 and 保险: more of what was typed
            if (weight, count) > best.get(row.item.ref, (0.0, 0, -1, frozenset()))[:2]:
                best[row.item.ref] = (weight, count, index, frozenset(g.key for g in held))
        ranked = sorted(best.values(), key=lambda found: (-found[0], -found[1]))  # stable: plan order on a tie
        return [
            Passage(self.rows[index].item, (self.rows[index].text,), weight, keys) for weight, _, index, keys in ranked
        ]

    def _quoted(self, ref: str, found: dict[str, tuple[float, int]], weights: dict[str, float]) -> tuple[str, ...]:
        """The sentences that earned the score: the one holding most of it, then one that adds a group it lacks."""
        earned: dict[int, float] = {}
        for key, (value, index) in found.items():
            earned[index] = earned.get(index, 0.0) + weights[key] * value
        chosen = sorted(earned, key=lambda i: -earned[i])[:MAX_QUOTED]
        return tuple(self.rows[i].text for i in sorted(chosen))


def _postings(bm25: BM25Okapi, whole: list[frozenset[str]]) -> dict[str, list[tuple[int, float]]]:
    """Each word's BM25 score in each sentence that holds it, computed once: answering is a sum over postings. A
    word found only inside a longer token scores ``SUBWORD_WEIGHT`` of itself."""
    postings: dict[str, list[tuple[int, float]]] = {}
    k1, b, average = bm25.k1, bm25.b, bm25.avgdl
    for index, (frequencies, length) in enumerate(zip(bm25.doc_freqs, bm25.doc_len, strict=True)):
        norm = k1 * (1 - b + b * length / average)
        for term, count in frequencies.items():
            # rank-bm25 gives a word in most sentences a floor idf; a word anywhere still says something
            score = max(bm25.idf.get(term, 0.0), 0.05) * count * (k1 + 1) / (count + norm)
            if term not in whole[index]:
                score *= SUBWORD_WEIGHT
            postings.setdefault(term, []).append((index, float(score)))
    return postings


def plan_sentences(item: Item) -> list[str]:
    """A clause's body sentences (its heading first, without the trailing assignment of units); a task's text."""
    return split_sentences(item.body if isinstance(item, ClauseView) else item.text)
