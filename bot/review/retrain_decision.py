"""Whether a retrained model may replace the served one: a pure function of the two models' figures.

The figures are what the project's own evaluations report, on the same material for both models (see
``bot.review.retrain_measures``): the held-out NLU set (``bench.nlu_eval``), the real development questions and the
robustness rewordings (``bench.real_questions``) and the conversation stories (``make stories``). Each group carries
the floors its tool applies, so no floor is written here.

The candidate is accepted only when it meets every floor and is not worse than the served model on any measure by
more than one example's worth. Why one example: the measures are counts over small sets (69 questions, 52 answers,
572 held-out examples), so one example is the smallest change a measure can show; a stricter rule would refuse a
model for the flip of a single borderline example (a coin toss), a looser one would let a real loss through. For a
macro-F1 over k labels with n examples in all, one example moved from right to wrong costs about 1/(2s) on each of
two labels of average support s = n/k, i.e. about 1/n of the macro average, so 1/n is its worth as well. On top,
one unit of the last digit the tool rounds to (its figures are rounded), so that rounding alone never refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The tools round their figures (bench.real_questions to 3 decimals, bench.nlu_eval to 4, stories here to 4).
ROUNDING = {"nlu": 0.0001, "questions": 0.001, "robustness": 0.001, "stories": 0.0001}
GROUPS = {"nlu": "留出集", "questions": "真实问题", "robustness": "改写问题", "stories": "对话测试"}


@dataclass(frozen=True)
class Spec:
    """One measure: where it is in a model's figures, what it is called, and over how many examples it counts."""

    group: str  # nlu | questions | robustness | stories
    name: str  # the figure's name in that group (as the tool names it)
    label: str  # how a person reads it, after the group's name
    count: str  # the figure in the same group that says how many examples the measure is over
    lower_is_better: bool = False  # misleading answers: the floor is a ceiling

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"

    @property
    def title(self) -> str:
        return f"{GROUPS[self.group]}{self.label}"


def _questions(group: str) -> tuple[Spec, ...]:
    return (
        Spec(group, "kind_accuracy", "答复类型准确率", "questions"),
        Spec(group, "answer_hit_at_3", " Hit@3", "answers"),
        Spec(group, "key_phrase_quoted", "关键句引用率", "answers"),
        Spec(group, "limits_answered_as_answers", "误导率（答不了却作答）", "limits", lower_is_better=True),
    )


SPECS: tuple[Spec, ...] = (
    Spec("nlu", "intent_macro_f1", "意图宏平均 F1", "examples"),
    Spec("nlu", "served_accuracy", "能否作答判断准确率", "need_examples"),
    Spec("nlu", "side_macro_f1", "提问方宏平均 F1", "need_examples"),
    Spec("nlu", "region_f1", "地区识别 F1", "region_spans"),
    *_questions("questions"),
    *_questions("robustness"),
    Spec("stories", "conversation_accuracy", "通过率", "conversations_total"),
    Spec("stories", "action_accuracy", "动作准确率", "actions_total"),
)


@dataclass(frozen=True)
class Row:
    """One measure of both models, and what the rule says about it."""

    spec: Spec
    before: float | None  # the served model's figure (None: not measured)
    after: float | None  # the candidate's figure
    floor: float | None  # the tool's floor (a ceiling when lower is better); None: the tool sets none
    examples: int  # what the measure counts over; one example's worth is 1/examples
    below_floor: bool
    worse: bool

    @property
    def tolerance(self) -> float:
        return (1 / self.examples if self.examples else 0.0) + ROUNDING[self.spec.group]

    @property
    def difference(self) -> float | None:
        return None if self.before is None or self.after is None else round(self.after - self.before, 4)


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reasons: tuple[str, ...]  # plain Chinese, one per measure that refused the candidate
    rows: tuple[Row, ...]


def _figure(figures: Mapping[str, Any], spec: Spec, field: str) -> float | None:
    group = figures.get(spec.group)
    value = group.get(field) if isinstance(group, Mapping) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _floor(figures: Mapping[str, Any], spec: Spec) -> float | None:
    group = figures.get(spec.group)
    floors = group.get("floors") if isinstance(group, Mapping) else None
    value = floors.get(spec.name) if isinstance(floors, Mapping) else None
    return float(value) if isinstance(value, int | float) else None


def compare(candidate: Mapping[str, Any], served: Mapping[str, Any], specs: Sequence[Spec] = SPECS) -> list[Row]:
    """Every measure side by side. The floors and example counts are the candidate's (the same material and tools
    as the served model's when both were measured by this version of the code)."""
    rows = []
    for spec in specs:
        before, after = _figure(served, spec, spec.name), _figure(candidate, spec, spec.name)
        floor = _floor(candidate, spec)
        examples = int(_figure(candidate, spec, spec.count) or _figure(served, spec, spec.count) or 0)
        sign = -1.0 if spec.lower_is_better else 1.0
        below = after is None or (floor is not None and sign * after < sign * floor)
        tolerance = (1 / examples if examples else 0.0) + ROUNDING[spec.group]
        worse = after is not None and before is not None and sign * (before - after) > tolerance + 1e-9
        rows.append(Row(spec, before, after, floor, examples, below, worse))
    return rows


def reason(row: Row) -> str | None:
    """Why this measure refuses the candidate, in plain Chinese; None when it does not."""
    before, after = row.before, row.after
    title = row.spec.title + (" " if row.spec.title[-1].isascii() else "")  # "Hit@3 从", "准确率从"
    if after is None:
        return f"{title}没有测得结果"
    moved = "升到" if row.spec.lower_is_better else "降到"
    change = f"从 {before:.3f} {moved} {after:.3f}" if before is not None and before != after else f"为 {after:.3f}"
    if row.below_floor and row.floor is not None:
        bound = "高于上限" if row.spec.lower_is_better else "低于下限"
        return f"{title}{change}，{bound} {row.floor:g}"
    if row.worse and before is not None:
        lost = round(abs(after - before) * row.examples) if row.examples else 0
        return f"{title}{change}，比在用模型差约 {lost} 个例子（{row.examples} 个中），超过容差（1 个例子）"
    return None


def decide(candidate: Mapping[str, Any], served: Mapping[str, Any], specs: Sequence[Spec] = SPECS) -> Decision:
    """Accept the candidate only when it meets every floor and is nowhere worse than the served model by more than
    one example's worth; otherwise refuse with a reason per measure."""
    rows = compare(candidate, served, specs)
    reasons = tuple(text for text in (reason(row) for row in rows) if text)
    return Decision(not reasons, reasons, tuple(rows))
