"""What the plans hold for a reading: the clauses that serve its need and speak of its subject, ranked once over
every plan.

A served need names what a clause must hold (``data/needs.yml``): the user's most specific subject (``subject``),
one of the need's channels (``channel``: 投诉举报 for a report, 维权援助/调解/仲裁 … for a dispute), or a channel
and nothing less (``specific``: 评价报告/恶意投诉 for someone answering a complaint). The user's subjects rank the
clauses that hold them first. A clause answers when it meets that and scores ``MIN_SCORE``; the region then only
filters this one ranking.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from bot.answers.needs import Need
from bot.answers.reading import Reading
from bot.kb.passages import Group, Passage
from bot.kb.query import KnowledgeBase
from bot.kb.subjects import Subject

# The least a clause must score to answer: one word of the user's subject or of the need's channel in a sentence
# of ordinary length scores about 2–6. Chosen once on the project's own questions (bench/results/
# evidence_threshold.md: `python -m bench.evidence_threshold`), never per question.
MIN_SCORE = 1.5
CORE_WEIGHT = 1.0
CHANNEL_WEIGHT = 1.0
CHANNEL_HEADING_WEIGHT = 1.5  # the channel in a clause's heading (what it is about) outweighs one in its body
CHANNEL_SPREAD_WEIGHT = 0.25  # each further channel of a need with several (维权援助, 调解, 仲裁 …) a clause holds
OTHER_SUBJECT_WEIGHT = 0.4
SAID_WEIGHT = 0.3  # each word the user typed that a sentence holds as they typed it  # the user's other subjects order the clauses that already answer
BROAD_CORE_WEIGHT = 0.6
MAX_PASSAGES = 40
AVOIDED_SHARE = 0.5  # a clause about what another need wants (举报奖励 for a report) ranks at this share
CHANNEL = "channel"  # the group key of a need's channel words


@dataclass(frozen=True)
class Evidence:
    need: Need
    core: Subject | None  # what the question is about, as the clauses must hold it (None: the channel alone)
    passages: tuple[Passage, ...]  # over every plan, best first

    @property
    def plans(self) -> tuple[str, ...]:
        """Plans (slugs) with evidence, best first."""
        return tuple(dict.fromkeys(p.item.document.slug for p in self.passages))

    def in_plans(self, slugs: Iterable[str]) -> list[Passage]:
        wanted = set(slugs)
        return [p for p in self.passages if p.item.document.slug in wanted]

    def best_per_plan(self) -> list[Passage]:
        seen: dict[str, Passage] = {}
        for passage in self.passages:
            seen.setdefault(passage.item.document.slug, passage)
        return list(seen.values())


def serving_need(reading: Reading, needs: dict[str, Need]) -> Need | None:
    """The need to serve: the one read, or what it becomes for an accused asker."""
    need = reading.need
    if need is not None and reading.side == "accused" and need.accused_as:
        return needs[need.accused_as]
    return need


def core_subject(reading: Reading, need: Need) -> Subject | None:
    """What the question asks about: a subject the need prefers (举报奖励 → the reward), else the most specific
    subject that is not only a kind of right or act, else the most specific one."""
    preferred = [s for s in reading.subjects if s.id in need.prefer]
    specific = [s for s in reading.subjects if not s.broad]
    ordered = preferred or specific or list(reading.subjects)
    return ordered[0] if ordered else None


def gather(kb: KnowledgeBase, reading: Reading, need: Need) -> Evidence:
    """The clauses of every plan that serve ``need`` for this reading, best first (empty when none does)."""
    core = core_subject(reading, need)
    named = {s.id for s in reading.subjects}
    channels = tuple(c for c in need.channels if c not in need.pairs or named & set(need.pairs[c]))
    if need.channels and not channels:
        return Evidence(need, core, ())  # no channel answers what the user named (a complaint not called malicious)
    channel_words = frozenset(w for c in channels for w in kb.subjects[c].plan_words)
    # a clause whose heading names the channel is about it ("推动纠纷快速处理"); one whose body mentions it in a list
    # of policies is not
    groups: list[Group] = (
        [Group(CHANNEL, channel_words, CHANNEL_WEIGHT, CHANNEL_HEADING_WEIGHT)] if channel_words else []
    )
    # a clause about the ways to settle a dispute names several of them, one that mentions a channel in passing one
    if len(channels) > 1:
        groups += [Group(f"{CHANNEL}:{c}", kb.subjects[c].plan_words, CHANNEL_SPREAD_WEIGHT) for c in channels]
    for subject in reading.subjects:
        if subject.id in need.channels:
            continue  # the user named the channel itself ("调解"): it already counts as the channel
        weight = OTHER_SUBJECT_WEIGHT
        if subject is core:
            weight = BROAD_CORE_WEIGHT if subject.broad else CORE_WEIGHT
        groups.append(Group(subject.id, subject.plan_words, weight))
    if (need.evidence == "subject" and core is None) or (need.evidence == "specific" and (core is None or core.broad)):
        return Evidence(need, core, ())  # a specific channel needs a specific subject: 外观专利, not 商标
    # the user's own words that the plans write (侵权鉴定, 司法鉴定) order the clauses that hold the subject
    groups += [Group(f"said:{w}", frozenset([w]), SAID_WEIGHT) for w in reading.words if kb.sentences.idf(w) > 0]
    required = {"subject": {core.id if core else ""}, "channel": {CHANNEL}}.get(need.evidence or "", set())
    if need.evidence == "specific" and core is not None:
        required = {CHANNEL, core.id} if core.id not in need.channels else {CHANNEL}

    # for a channel need, a specific subject answers on its own (商标恶意注册 for a squatted mark)
    specific_core = core.id if need.evidence == "channel" and core is not None and not core.broad else None
    if specific_core is not None:
        required = {CHANNEL, specific_core}

    def require(matched: frozenset[str]) -> bool:
        return required <= matched if need.evidence != "channel" else bool(required & matched)

    avoided = [kb.subjects[a] for a in need.avoid if a not in named]
    groups += [Group(f"avoid:{a.id}", a.plan_words, 0.0) for a in avoided]
    ranked = kb.passages(groups, None, require, limit=MAX_PASSAGES)
    # …and outranks the channel alone: 商标恶意注册 for a squatted mark before a fast-track clause that only holds 维权
    ranked = sorted(
        (_discounted(p) if any(k.startswith("avoid:") for k in p.matched) else p for p in ranked),
        key=lambda p: (specific_core is not None and specific_core not in p.matched, -p.score, p.item.ref),
    )
    if not ranked or ranked[0].score < MIN_SCORE:
        return Evidence(need, core, ())
    return Evidence(need, core if need.evidence != "channel" else _held_core(core, ranked), tuple(ranked))


def _discounted(passage: Passage) -> Passage:
    return dataclasses.replace(passage, score=passage.score * AVOIDED_SHARE)


def _held_core(core: Subject | None, ranked: list[Passage]) -> Subject | None:
    """For a channel need, the subject counts as what the clauses hold only when the best of them holds it."""
    return core if core is not None and ranked and core.id in ranked[0].matched else None
