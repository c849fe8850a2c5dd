"""Sentence-level retrieval: which sentence of which plan answers the user's own words.

Clause-level ranking (``retrieval.py``) says which clause is about a topic; an answer needs the one sentence that
speaks to what was asked ("举报奖励" inside a clause about 表彰). Every sentence of every clause body and task is a
BM25 document (rank-bm25 on jieba terms). A question's terms are weighted: the user's own words fully, words the
topic registry adds (the plans' wording for what the user said: 贷款 → 质押, 融资) at ``EXPANSION_WEIGHT``. The
NLU topic is a prior, not a filter: a sentence tagged with it gains ``TOPIC_PRIOR``. ``bench/answers.py`` measures
these constants.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from bot.kb.parse import split_sentences
from bot.kb.topics import Topic, topics_asked
from bot.kb.views import ClauseView, Item
from bot.text import ChineseTokenizer

EXPANSION_WEIGHT = 1.5  # the plan words a topic adds share this weight (÷ √ their number) against a user's word
TOPIC_PRIOR = 0.25  # a sentence tagged with the NLU's topic: a quarter of the best lexical match
TOPIC_PRIOR_ITEM = 0.08  # …a sentence of a clause tagged with it, but not itself the tagged sentence
TASK_DISCOUNT = 0.75  # a clause states the policy (and names its agencies); a task of 云南's work plan follows it
MIN_RELATIVE = 0.2  # below this share of the best sentence, a sentence is noise
SECOND_SENTENCE = 0.6  # a clause's second sentence is quoted too when it scores this share of its best


@dataclass(frozen=True)
class Passage:
    """One sentence of a clause or task with how well it answers, and which of the question's words it holds."""

    item: Item
    sentence: str  # the best sentence
    score: float
    matched: tuple[str, ...]
    also: tuple[str, ...] = ()  # another sentence of the same clause that answers nearly as well

    @property
    def sentences(self) -> tuple[str, ...]:
        """The sentences to quote, in the order the plan wrote them."""
        return tuple(s for s in answer_sentences(self.item) if s == self.sentence or s in self.also)


@dataclass(frozen=True)
class WeightedQuery:
    terms: Mapping[str, float]  # term → weight
    user_terms: tuple[str, ...]  # the words the user typed (after stopwords)


class SentenceIndex:
    """BM25 over every sentence of the knowledge base. Built once per snapshot (about 1,200 sentences)."""

    def __init__(self, items: Sequence[Item], tokenizer: ChineseTokenizer, topics: Sequence[Topic]) -> None:
        self.tokenizer = tokenizer
        self.topics = {topic.id: topic for topic in topics}
        rows: list[tuple[Item, str]] = []
        for item in items:
            rows.extend((item, sentence) for sentence in answer_sentences(item))
        self.rows = tuple(rows)
        corpus = [tokenizer.terms(sentence) or ["∅"] for _, sentence in self.rows]
        self._terms = [frozenset(terms) for terms in corpus]
        self._bm25 = BM25Okapi(corpus)
        self._postings = _postings(self._bm25)
        self._tagged = [
            frozenset(topic for topic, sentences in item.topics.items() if sentence in sentences)
            for item, sentence in self.rows
        ]

    def query(
        self, question: str, topic_prior: Sequence[str] = (), extra_terms: Mapping[str, float] | None = None
    ) -> WeightedQuery:
        """The user's terms, plus the plan words of the topics the question points at (and of the NLU topic), plus
        ``extra_terms`` (plan words for what the asker wants done: 举报 → 投诉举报) with their own weights."""
        user_terms = tuple(dict.fromkeys(self.tokenizer.terms(question)))
        weights: dict[str, float] = {term: 1.0 for term in user_terms}
        for phrase, weight in (extra_terms or {}).items():
            for term in self.tokenizer.terms(phrase):
                weights[term] = max(weight, weights.get(term, 0.0))
        asked = [topic for topic, _ in topics_asked(question, self.topics.values())]
        for topic_id in dict.fromkeys([*asked, *topic_prior]):
            topic = self.topics.get(topic_id)
            if topic is None:
                continue
            # A topic with many plan words must not outweigh the user's own words: its words share the weight.
            terms = {term for keyword in topic.keywords for term in self.tokenizer.terms(keyword)}
            for term in terms:
                weights.setdefault(term, EXPANSION_WEIGHT / math.sqrt(len(terms)))
        return WeightedQuery(weights, user_terms)

    def rank(
        self,
        query: WeightedQuery,
        allowed: set[str] | None = None,
        topic_prior: Sequence[str] = (),
        keep: Callable[[str], bool] | None = None,
        limit: int = 8,
    ) -> list[Passage]:
        """Best sentences (one per clause or task) of the allowed plans, best first; scores relative to the best."""
        if not query.terms:
            return []
        candidates = [
            index
            for index, (item, sentence) in enumerate(self.rows)
            if (allowed is None or item.document.slug in allowed) and (keep is None or keep(sentence))
        ]
        if not candidates:
            return []
        lexical = [0.0] * len(self.rows)
        for term, weight in query.terms.items():
            for index, score in self._postings.get(term, ()):
                lexical[index] += weight * score
        best = max((lexical[i] for i in candidates), default=0.0)
        if best <= 0:
            return []
        prior = set(topic_prior)
        by_item: dict[str, list[Passage]] = {}
        for index in candidates:
            item, sentence = self.rows[index]
            score = lexical[index] / best
            if score <= 0:
                continue
            if prior & self._tagged[index]:
                score += TOPIC_PRIOR
            elif prior & set(item.topics):
                score += TOPIC_PRIOR_ITEM
            if item.kind == "task":
                score *= TASK_DISCOUNT
            matched = tuple(t for t in query.terms if t in self._terms[index])
            by_item.setdefault(item.ref, []).append(Passage(item, sentence, score, matched))
        ranked = [_merged(found) for found in by_item.values()]
        ranked.sort(key=lambda p: (-p.score, p.item.ref))
        top = ranked[0].score if ranked else 0.0
        return [p for p in ranked if p.score >= MIN_RELATIVE * top][:limit]

    def idf(self, term: str) -> float:
        return float(self._bm25.idf.get(term, 0.0))


def _postings(bm25: BM25Okapi) -> dict[str, list[tuple[int, float]]]:
    """Each term's BM25 score in each sentence that holds it, computed once: a term's score in a sentence does
    not depend on the rest of the query, so answering is a sum over the query's postings (no scan per term)."""
    postings: dict[str, list[tuple[int, float]]] = {}
    k1, b, average = bm25.k1, bm25.b, bm25.avgdl
    for index, (frequencies, length) in enumerate(zip(bm25.doc_freqs, bm25.doc_len, strict=True)):
        norm = k1 * (1 - b + b * length / average)
        for term, count in frequencies.items():
            score = bm25.idf.get(term, 0.0) * count * (k1 + 1) / (count + norm)
            if score > 0:
                postings.setdefault(term, []).append((index, float(score)))
    return postings


def _merged(found: list[Passage]) -> Passage:
    """One passage per clause: its best sentence, and the runner-up when it answers nearly as well."""
    best, *rest = sorted(found, key=lambda p: -p.score)
    second = [p for p in rest[:1] if p.score >= SECOND_SENTENCE * best.score]
    matched = tuple(dict.fromkeys([*best.matched, *(t for p in second for t in p.matched)]))
    return Passage(best.item, best.sentence, best.score, matched, tuple(p.sentence for p in second))


def answer_sentences(item: Item) -> list[str]:
    """The sentences an answer may quote: a clause's body without its heading sentence; a task's text."""
    if isinstance(item, ClauseView):
        sentences = split_sentences(item.body)
        return sentences[1:] if len(sentences) > 1 else sentences
    return split_sentences(item.text)
