"""Ranked retrieval over clauses and tasks: BM25 (rank-bm25) on jieba terms, plus the topic registry.

BM25 alone matches plan wording; users write 假货 and 被抢注, which the plans never say. The topic registry maps
those words to topics (``asks``), and an item tagged with an asked topic gets a boost in proportion to how
strongly it is tagged. The two signals are added after normalising BM25 to the best score of the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from bot.kb.parse import split_sentences
from bot.kb.topics import Topic, topics_asked
from bot.kb.views import ClauseView, Item
from bot.text import ChineseTokenizer

TOPIC_WEIGHT = 0.6  # a strongly tagged item of the asked topic is worth 60 % of the best lexical match
TITLE_TOPIC_BONUS = 0.25  # …more when the topic is in the clause's own heading
TASK_DISCOUNT = 0.85  # a clause states the policy; a task of the work plan is its follow-up


@dataclass(frozen=True)
class Scored:
    item: Item
    score: float
    quote: tuple[str, ...]


class PassageIndex:
    """BM25 over a fixed list of items. Build once per knowledge-base snapshot."""

    def __init__(self, items: Sequence[Item], tokenizer: ChineseTokenizer, topics: Sequence[Topic]) -> None:
        self.items = tuple(items)
        self.tokenizer = tokenizer
        self.topics = tuple(topics)
        self._keywords = {topic.id: topic.keywords for topic in self.topics}
        corpus = [tokenizer.terms(self._index_text(item)) for item in self.items]
        self._bm25 = BM25Okapi([terms or ["∅"] for terms in corpus])
        self._sentences = [_sentences(item) for item in self.items]

    @staticmethod
    def _index_text(item: Item) -> str:
        # The heading says what the clause is about: count it twice. Agency names make "人行拉萨中心支行负责什么"
        # findable; they come from the clause's own assignment, never from elsewhere.
        body = item.body if isinstance(item, ClauseView) else item.text
        agencies = " ".join(a.name for a in item.agencies)
        return f"{item.title} {item.title} {body} {agencies}"

    def lexical(self, question: str, allowed: set[str] | None = None) -> dict[str, float]:
        """BM25 of every allowed item for a text, normalised to the best (1.0); refs as keys."""
        terms = self.tokenizer.terms(question)
        if not terms:
            return {}
        raw = self._bm25.get_scores(terms)
        scores = {
            item.ref: max(float(raw[i]), 0.0)
            for i, item in enumerate(self.items)
            if allowed is None or item.document.slug in allowed
        }
        best = max(scores.values(), default=0.0) or 1.0
        return {ref: score / best for ref, score in scores.items()}

    def search(self, question: str, allowed: set[str] | None = None, limit: int = 5) -> list[Scored]:
        """Top items for a question, restricted to documents whose slug is in ``allowed`` when given."""
        terms = self.tokenizer.terms(question)
        lexical = self._bm25.get_scores(terms) if terms else [0.0] * len(self.items)
        candidates = [i for i, item in enumerate(self.items) if allowed is None or item.document.slug in allowed]
        if not candidates:
            return []
        best = max((lexical[i] for i in candidates), default=0.0) or 1.0
        asked = topics_asked(question, self.topics)
        strongest = asked[0][1] if asked else 1
        scored = []
        for index in candidates:
            item = self.items[index]
            score = max(lexical[index], 0.0) / best
            for topic_id, weight in asked:
                sentences = item.topics.get(topic_id)
                if sentences:
                    strength = min(len(sentences), 3) / 3
                    in_title = any(k in item.title for k in self._keywords.get(topic_id, ()))
                    score += (weight / strongest) * (TOPIC_WEIGHT * strength + (TITLE_TOPIC_BONUS if in_title else 0))
            if item.kind == "task":
                score *= TASK_DISCOUNT
            if score > 0:
                scored.append(Scored(item, score, self._quote(index, terms, [t for t, _ in asked])))
        scored.sort(key=lambda s: (-s.score, s.item.ref))
        return scored[:limit]

    def _quote(self, index: int, terms: list[str], asked: list[str]) -> tuple[str, ...]:
        """The sentence that best answers: most query terms, preferring sentences tagged with an asked topic."""
        item = self.items[index]
        tagged = {s for topic in asked for s in item.topics.get(topic, ())}
        sentences = self._sentences[index]
        if not sentences:
            return ()

        def weight(sentence: str) -> tuple[int, int]:
            return (
                sum(1 for term in set(terms) if term in sentence) + (2 if sentence in tagged else 0),
                -sentences.index(sentence),
            )

        return (max(sentences, key=weight),)


def _sentences(item: Item) -> list[str]:
    if isinstance(item, ClauseView):
        sentences = split_sentences(item.body)
        # The first sentence of a clause is its heading ("加强海外维权援助服务。"): never the most useful quote.
        return sentences[1:] if len(sentences) > 1 else sentences
    return split_sentences(item.text)
