"""One reading per message, made once and handed down: what is wanted, about what, where, and by which side.

The need and the side are the NLU model's (``Parse``: Rasa's intent, its ranking and the side classifier); the
subjects are the message's words found in the subject registry (``data/subjects.yml``) or written by a plan; the
regions are the gazetteer's. The text is normalised and cut into words here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers.model import Parse
from bot.answers.needs import Need
from bot.kb.query import KnowledgeBase
from bot.kb.regions import RegionMention
from bot.kb.subjects import Subject
from bot.text import normalize

# A side read with less confidence than this is not taken as said (the side classifier's held-out sweep, bench/
# results/nlu_eval.md): an accused party must not be read as a holder, and neither as accused when unsure.
SIDE_CONFIDENCE = 0.5
NEED_INTENTS_EXCLUDED = ("nlu_fallback",)
NO_NEED = ("out_of_scope",)  # the model read no question of the field at all
# Intents that are not needs but carry one: "保德县信用体系建设的完成时限" asks what the plan sets for a subject, with
# the model's confidence in the question (not the small share a need got beside it).
CARRIES_NEED = {"ask_deadline": "ask_policy"}


@dataclass(frozen=True)
class Reading:
    text: str  # normalised
    words: tuple[str, ...]  # its words, region names removed
    intent: str | None  # what the model read (a need, inform, out_of_scope …)
    need: Need | None  # the need, when the intent is one
    confidence: float
    runner_up: Need | None  # the next need the model considered
    runner_up_confidence: float
    side: str | None  # holder | accused | None
    subjects: tuple[Subject, ...]  # most specific first
    regions: tuple[RegionMention, ...]  # the asker's own (not "被宁波一家公司剽窃")

    @property
    def region(self) -> RegionMention | None:
        return self.regions[0] if self.regions else None

    @property
    def region_only(self) -> bool:
        """The message names a region and asks nothing else ("云南", "那西藏呢？", "我们是南宁的企业")."""
        return bool(self.regions) and (self.intent == "inform" or (self.need is None and not self.words))


def read(kb: KnowledgeBase, needs: dict[str, Need], text: str, parse: Parse) -> Reading:
    clean = normalize(text)
    regions = tuple(user_regions(kb, clean))
    words, tokens = kb.terms(kb.without_regions(clean))
    ranked = [(name, confidence) for name, confidence in parse.ranking if name not in NEED_INTENTS_EXCLUDED]
    need_ranking = [(needs[name], confidence) for name, confidence in ranked if name in needs]
    need = needs.get(CARRIES_NEED.get(parse.intent or "", parse.intent or ""))
    confidence = parse.confidence
    if need is None and parse.intent not in NO_NEED and need_ranking:
        # below the fallback threshold, or a conversational intent that was not meant ("您好！有人卖假货怎么办"):
        # the best need the model considered, with its own (lower) confidence
        need, confidence = need_ranking[0]
    others = [(n, c) for n, c in need_ranking if n is not need]
    side = parse.side if parse.side in ("holder", "accused") and parse.side_confidence >= SIDE_CONFIDENCE else None
    return Reading(
        text=clean,
        words=words,
        intent=parse.intent,
        need=need,
        confidence=confidence,
        runner_up=others[0][0] if others else None,
        runner_up_confidence=others[0][1] if others else 0.0,
        side=side,
        subjects=kb.subjects_in(words, tokens),
        regions=regions,
    )


def user_regions(kb: KnowledgeBase, text: str) -> list[RegionMention]:
    """Regions the asker means as theirs: not another party's place ("被宁波一家公司剽窃")."""
    return [m for m in kb.gazetteer.find_all(text) if text[max(0, m.start - 1) : m.start] != "被"]


def names_subject(kb: KnowledgeBase, text: str) -> bool:
    """The message names something of the plans' registry ("保险", "质押融资"): then "好的"-like readings of it (affirm,
    thank) are not small talk but a subject asked about with too few words."""
    return bool(kb.subjects_in(*kb.terms(normalize(text))))
