"""Step cards (issue 23): what a user can do in a situation people bring, step by step, from ``data/steps.yml``.

Each step is written once, by hand, in the user's terms, and rests on one sentence of one clause of the region's
plan (quoted verbatim in the data); a step the plan is silent on says so. Nothing here writes a step: this module
only reads and orders them. ``tests/answers/test_steps.py`` checks every step against the plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Step:
    kind: str  # evidence, platform, report, assistance, resolve (``kinds`` of the data: the card's order)
    do: str | None = None  # what the user can do, in their terms
    ref: str | None = None  # the clause it rests on
    sentence: str | None = None  # the clause's sentence it rests on, verbatim
    silent: str | None = None  # instead of the above: what the plan does not say

    @property
    def written(self) -> bool:
        return self.silent is None


@dataclass(frozen=True)
class Situation:
    id: str
    name: str  # as a user would put it ("网上有人卖我们品牌的假货")
    steps: dict[str, tuple[Step, ...]]  # by plan slug, in the card's order


@dataclass(frozen=True)
class StepBook:
    kinds: tuple[str, ...]
    situations: dict[str, Situation]


class StepsError(ValueError):
    """data/steps.yml is malformed: a missing field, an unknown kind, steps out of order."""


def load_steps(path: Path) -> StepBook:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds = tuple(str(k) for k in raw.get("kinds") or ())
    situations = {}
    for situation_id, body in (raw.get("situations") or {}).items():
        steps = {}
        for slug, entries in (body.get("regions") or {}).items():
            parsed = tuple(_step(situation_id, slug, entry, kinds) for entry in entries or ())
            order = [kinds.index(s.kind) for s in parsed]
            if order != sorted(order):
                raise StepsError(f"{situation_id}/{slug}: steps out of the order {', '.join(kinds)}")
            steps[str(slug)] = parsed
        situations[str(situation_id)] = Situation(str(situation_id), str(body.get("name") or ""), steps)
    return StepBook(kinds, situations)


def _step(situation: str, slug: str, entry: dict[str, object], kinds: tuple[str, ...]) -> Step:
    kind = str(entry.get("kind") or "")
    if kind not in kinds:
        raise StepsError(f"{situation}/{slug}: unknown kind {kind!r}")
    if entry.get("silent"):
        return Step(kind, silent=str(entry["silent"]))
    if not all(entry.get(name) for name in ("do", "ref", "sentence")):
        raise StepsError(f"{situation}/{slug}/{kind}: a step needs do, ref and sentence (or silent)")
    return Step(kind, str(entry["do"]), str(entry["ref"]), str(entry["sentence"]))
