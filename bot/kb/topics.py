"""The topic registry (``data/topics.yml``) and the tagger that finds topics in a clause's sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kb.parse import split_sentences

_REGISTRY_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str
    keywords: tuple[str, ...]
    asks: tuple[str, ...]
    question: str = ""


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    in_title: bool
    sentences: tuple[str, ...]

    @property
    def score(self) -> float:
        """More matching sentences is a stronger tag; a matching title (the clause's own heading) is strongest."""
        return len(self.sentences) + (2.0 if self.in_title else 0.0)


def load_topics(path: Path) -> tuple[Topic, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = tuple(
        Topic(
            id=entry["id"],
            name=entry["name"],
            description=entry["description"],
            keywords=tuple(str(k) for k in entry["keywords"]),
            asks=tuple(str(a) for a in entry.get("asks", ())),
            question=str(entry.get("question") or entry["name"]),
        )
        for entry in raw["topics"]
    )
    require_registry_ids(path, "topic", [topic.id for topic in topics])
    return topics


def require_registry_ids(path: Path, kind: str, ids: list[str]) -> None:
    """A registry's ids (topics, subjects) are unique ASCII snake_case: they are keys in data files and slots."""
    bad = [i for i in ids if not _REGISTRY_ID.match(i)]
    if bad or len(set(ids)) != len(ids):
        raise ValueError(f"{path}: {kind} ids must be unique ASCII snake_case, got {bad or ids}")


def tag_text(title: str, body: str, topics: Iterable[Topic]) -> list[TopicMatch]:
    """Topics whose plan-language keywords occur in the text, each with the sentences that matched."""
    sentences = split_sentences(body)
    heading = sentences[:1] if title and sentences and sentences[0].rstrip("。") == title else []
    content = sentences[len(heading) :]
    matches = []
    for topic in topics:
        in_title = bool(title) and any(k in title for k in topic.keywords)
        # Quote the body, not the heading; the sentence naming most of the topic's words first.
        hits = sorted(
            (s for s in content if any(k in s for k in topic.keywords)),
            key=lambda s: -sum(1 for k in topic.keywords if k in s),
        )
        if hits or in_title:
            matches.append(TopicMatch(topic.id, in_title, tuple(hits) or tuple(heading)))
    return matches


def topics_asked(question: str, topics: Iterable[Topic]) -> list[tuple[str, int]]:
    """Topics a question points at (by user words and plan words), with how many of their words it contains."""
    found = []
    for topic in topics:
        count = sum(1 for word in {*topic.asks, *topic.keywords} if word in question)
        if count:
            found.append((topic.id, count))
    return sorted(found, key=lambda pair: -pair[1])
