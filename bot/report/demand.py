"""The figures of the demand report, computed from what ``sources`` read. Pure: no I/O.

Definitions (each figure can be recounted in SQL; ``tests/test_report.py`` and ``bench/report_bench.py`` do):

- a *question* is a user message whose intent is one of the needs of ``data/needs.yml`` (what was wanted: where to
  report, whether it infringes, a procedure …); the report's "topic" of a question is that need; its *region* is the
  provincial-level division the message names (its ``region`` entity, resolved by the gazetteer: 遵义 → 贵州省,
  杭州 → 浙江省 even though 浙江 has no plan), else the value of the ``region`` slot at the end of that turn
  (carried from earlier in the conversation); "未指明地区" when neither;
- a *conversation* is a tracker sender id with at least one user message in the period;
- a *citation* is one clause ref in a ``last_refs`` slot event (what an answer cited);
- a *sought agency* is an ``agency`` entity of an ``agency_duties`` message, kept only when it names an agency of
  the plans (or a kind of agency); anything else counts as "其他";
- weeks run Monday to Sunday in Beijing time (UTC+8); every time in the sources is UTC.

Unanswered questions are reported by their words only, and a word only when at least ``MIN_CONVERSATIONS``
different conversations used it, so no one's name, number or company can surface in the report.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.report.sources import StoreData, TrackerData
from bot.review.inbox import OUT_OF_SCOPE_LABEL

BEIJING = timedelta(hours=8)
NO_REGION = "未指明地区"
NO_AGENCY = "未指明单位"
OTHER_AGENCY = "其他"
MIN_CONVERSATIONS = 5  # a word of an unanswered question is shown only when this many conversations used it
TOP = 20
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class TermGroup:
    term: str
    questions: int
    conversations: int
    with_terms: tuple[str, ...]  # the words most often asked together with it


@dataclass(frozen=True)
class ClauseFeedback:
    ref: str
    useful: int
    useless: int


@dataclass(frozen=True)
class HandoffStats:
    total: int
    handled: int
    by_topic: tuple[tuple[str, int], ...]
    by_region: tuple[tuple[str, int], ...]
    closing_time_recorded: bool
    median_hours: float | None = None
    p90_hours: float | None = None

    @property
    def open(self) -> int:
        return self.total - self.handled


@dataclass(frozen=True)
class Week:
    start: date  # Monday, Beijing time
    conversations: int
    questions: int
    unanswered: int
    handoffs: int
    useful: int
    useless: int


@dataclass(frozen=True)
class ModelScore:
    """One retrain (var/retrain/history.jsonl): its day, what it decided and the candidate's headline figures."""

    day: str
    decision: str  # accepted | refused | failed
    candidate: str
    figures: dict[str, float]


@dataclass(frozen=True)
class ReviewStats:
    """What the review loop did in the period: messages confirmed, corrected, discarded; which readings reviewers
    corrected to what; and the retrains with their scores."""

    confirmed: int = 0
    corrected: int = 0
    discarded: int = 0
    corrections: tuple[tuple[str, str, int], ...] = ()  # (need read, need given, count), most first
    retrains: tuple[ModelScore, ...] = ()

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.corrected + self.discarded


@dataclass(frozen=True)
class DemandReport:
    since: date | None
    first_day: date | None
    last_day: date | None
    conversations: int
    questions: int
    topic_region: dict[tuple[str, str], int]  # (topic id, region) → questions
    unanswered: int
    unanswered_terms: tuple[TermGroup, ...]
    cited: tuple[tuple[str, int], ...]  # ref → citations, most cited first
    agencies: tuple[tuple[str, int], ...]
    feedback: tuple[ClauseFeedback, ...]
    useful: int
    useless: int
    handoffs: HandoffStats
    weeks: tuple[Week, ...]
    topic_names: dict[str, str] = field(default_factory=dict)
    ref_labels: dict[str, str] = field(default_factory=dict)
    review: ReviewStats = field(default_factory=ReviewStats)

    @property
    def topics(self) -> list[str]:
        """Topic ids by questions, most asked first."""
        totals: Counter[str] = Counter()
        for (topic, _), count in self.topic_region.items():
            totals[topic] += count
        return [t for t, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]

    @property
    def regions(self) -> list[str]:
        totals: Counter[str] = Counter()
        for (_, region), count in self.topic_region.items():
            totals[region] += count
        return [r for r, _ in sorted(totals.items(), key=lambda kv: (kv[0] == NO_REGION, -kv[1], kv[0]))]

    def topic_name(self, topic: str) -> str:
        return self.topic_names.get(topic, topic)

    def ref_label(self, ref: str) -> str:
        return self.ref_labels.get(ref, ref)


def local_day(moment: datetime) -> date:
    return (moment + BEIJING).date()


def week_of(moment: datetime) -> date:
    day = local_day(moment)
    return day - timedelta(days=day.weekday())


def compute(
    tracker: TrackerData,
    store: StoreData,
    topic_names: dict[str, str],
    terms: Callable[[str], list[str]],
    known_agencies: Iterable[str] = (),
    ref_labels: Callable[[str], str | None] | None = None,
    since: date | None = None,
    case_topic_names: dict[str, str] | None = None,
    retrains: Iterable[Mapping[str, Any]] = (),
) -> DemandReport:
    questions = [t for t in tracker.turns if t.intent in topic_names]
    topic_region = Counter((t.intent or "", t.region or NO_REGION) for t in questions)
    agencies = _agencies(tracker, set(known_agencies))
    cited = Counter(ref for _, refs in tracker.citations for ref in refs)
    feedback = _feedback(store)
    top_cited = tuple(sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP])
    labels: dict[str, str] = {}
    if ref_labels is not None:
        for ref in {r for r, _ in top_cited} | {f.ref for f in feedback}:
            label = ref_labels(ref)
            if label:
                labels[ref] = label
    moments = [t.at for t in tracker.turns] + [c.at for c in store.cases] + [u.at for u in store.unanswered]
    return DemandReport(
        since=since,
        first_day=local_day(min(moments)) if moments else None,
        last_day=local_day(max(moments)) if moments else None,
        conversations=len({t.sender for t in tracker.turns}),
        questions=len(questions),
        topic_region=dict(topic_region),
        unanswered=len(store.unanswered),
        unanswered_terms=_term_groups(store, terms),
        cited=top_cited,
        agencies=agencies,
        feedback=feedback,
        useful=sum(1 for f in store.feedback if f.positive),
        useless=sum(1 for f in store.feedback if not f.positive),
        handoffs=_handoffs(store, case_topic_names or topic_names),
        weeks=_weeks(tracker, store, topic_names),
        topic_names=dict(topic_names),
        ref_labels=labels,
        review=_review(store, topic_names, retrains, since),
    )


def _review(
    store: StoreData, need_names: dict[str, str], retrains: Iterable[Mapping[str, Any]], since: date | None
) -> ReviewStats:
    done = Counter(row.action for row in store.reviews)
    pairs = Counter((c.read_as or "", c.label) for c in store.corrections)
    named = tuple(
        (need_names.get(read, read or "未读出需求"), need_names.get(given, OUT_OF_SCOPE_LABEL), count)
        for (read, given), count in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    scores = tuple(
        ModelScore(
            str(line.get("date", ""))[:10],
            str(line.get("decision", "")),
            str(line.get("candidate") or ""),
            {k: float(v) for k, v in (line.get("after") or {}).items() if isinstance(v, int | float)},
        )
        for line in retrains
        if since is None or str(line.get("date", ""))[:10] >= since.isoformat()
    )
    return ReviewStats(done["confirm"], done["correct"], done["discard"], named, scores)


def _agencies(tracker: TrackerData, known: set[str]) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for turn in tracker.turns:
        if turn.intent != "agency_duties":
            continue
        if not turn.agencies:
            counts[NO_AGENCY] += 1
        for name in dict.fromkeys(turn.agencies):
            counts[name if name in known else OTHER_AGENCY] += 1
    return tuple(sorted(counts.items(), key=lambda kv: (kv[0] in (NO_AGENCY, OTHER_AGENCY), -kv[1], kv[0]))[:TOP])


def _feedback(store: StoreData) -> tuple[ClauseFeedback, ...]:
    useful: Counter[str] = Counter()
    useless: Counter[str] = Counter()
    for row in store.feedback:
        for ref in dict.fromkeys(row.refs):
            (useful if row.positive else useless)[ref] += 1
    refs = set(useful) | set(useless)
    rows = [ClauseFeedback(ref, useful[ref], useless[ref]) for ref in refs]
    rows.sort(key=lambda f: (-f.useless, -(f.useful + f.useless), f.ref))
    return tuple(rows)


def _term_groups(store: StoreData, terms: Callable[[str], list[str]]) -> tuple[TermGroup, ...]:
    """Words of unanswered questions, those always used together merged into one group (跨境电商、店铺、冻结资金),
    most asked first; a word counts only when ``MIN_CONVERSATIONS`` conversations used it."""
    cache: dict[str, tuple[str, ...]] = {}
    per_question: list[tuple[str, tuple[str, ...]]] = []
    for row in store.unanswered:
        if row.text not in cache:
            cache[row.text] = tuple(
                dict.fromkeys(t for t in terms(row.text) if len(t) >= 2 and not _HAS_DIGIT.search(t))
            )
        per_question.append((row.conversation, cache[row.text]))
    asked_in: dict[str, list[int]] = defaultdict(list)
    conversations: dict[str, set[str]] = defaultdict(set)
    for index, (conversation, words) in enumerate(per_question):
        for word in words:
            asked_in[word].append(index)
            conversations[word].add(conversation)
    groups: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for word in sorted(asked_in):
        if len(conversations[word]) >= MIN_CONVERSATIONS:
            groups[tuple(asked_in[word])].append(word)
    label = {word: "、".join(words) for words in groups.values() for word in words}
    together: dict[str, Counter[str]] = defaultdict(Counter)
    for _, words in per_question:
        labels = list(dict.fromkeys(label[w] for w in words if w in label))
        for one in labels:
            together[one].update(other for other in labels if other != one)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[0]), label[kv[1][0]]))[:TOP]
    return tuple(
        TermGroup(
            "、".join(words),
            len(questions),
            len(conversations[words[0]]),
            tuple(w for w, _ in sorted(together["、".join(words)].items(), key=lambda kv: (-kv[1], kv[0]))[:3]),
        )
        for questions, words in ranked
    )


def _handoffs(store: StoreData, topic_names: dict[str, str]) -> HandoffStats:
    hours = sorted(
        (c.handled_at - c.at).total_seconds() / 3600 for c in store.cases if c.handled and c.handled_at is not None
    )
    by_topic = Counter(topic_names.get(c.topic or "", c.topic or "未指明主题") for c in store.cases)
    by_region = Counter(c.region or NO_REGION for c in store.cases)
    return HandoffStats(
        total=len(store.cases),
        handled=sum(1 for c in store.cases if c.handled),
        by_topic=tuple(sorted(by_topic.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_region=tuple(sorted(by_region.items(), key=lambda kv: (-kv[1], kv[0]))),
        closing_time_recorded=store.closing_time_recorded,
        median_hours=round(hours[len(hours) // 2], 1) if hours else None,
        p90_hours=round(hours[min(len(hours) - 1, int(0.9 * len(hours)))], 1) if hours else None,
    )


def _weeks(tracker: TrackerData, store: StoreData, topic_names: dict[str, str]) -> tuple[Week, ...]:
    senders: dict[date, set[str]] = defaultdict(set)
    questions: Counter[date] = Counter()
    for turn in tracker.turns:
        week = week_of(turn.at)
        senders[week].add(turn.sender)
        if turn.intent in topic_names:
            questions[week] += 1
    unanswered = Counter(week_of(u.at) for u in store.unanswered)
    handoffs = Counter(week_of(c.at) for c in store.cases)
    useful = Counter(week_of(f.at) for f in store.feedback if f.positive)
    useless = Counter(week_of(f.at) for f in store.feedback if not f.positive)
    weeks = set(senders) | set(unanswered) | set(handoffs) | set(useful) | set(useless)
    return tuple(
        Week(w, len(senders[w]), questions[w], unanswered[w], handoffs[w], useful[w], useless[w]) for w in sorted(weeks)
    )
