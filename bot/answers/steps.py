"""Step cards (issue 23): what a user can do in a situation people bring, step by step, from ``data/steps/``.

Each step is written once, by hand, in the user's terms, and rests on one sentence of one clause of the region's
plan (quoted verbatim in the data); a step the plan is silent on says so. Nothing here writes a step: this module
reads the cards and chooses one from what the assistant read (need, side, subjects).
``tests/answers/test_steps.py`` checks every step against the plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

INDEX = "index.yml"
SIDES = ("holder", "accused", "none")
NO_SUBJECT = "none"  # in a situation's subjects: it also fits a question that names no subject ("被人抄袭了怎么办")


@dataclass(frozen=True)
class Step:
    kind: str  # evidence, platform, report … (``kinds`` of data/steps/index.yml)
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
    needs: tuple[str, ...]  # the needs it answers
    sides: tuple[str, ...]  # the asker's sides it answers (none: the side was not read)
    subjects: tuple[str, ...]  # one of these must be read (empty: any)
    kinds: tuple[str, ...]  # its steps' kinds, in the card's order
    steps: dict[str, tuple[Step, ...]]  # by plan slug, in the card's order
    lead: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # need or subject → kinds to lead with

    def fits(self, need: str, side: str | None, subjects: Iterable[str]) -> bool:
        read = set(subjects) or {NO_SUBJECT}
        return (
            need in self.needs
            and (side or "none") in self.sides
            and (not self.subjects or bool(read & set(self.subjects)))
        )

    def asked(self, read: Iterable[str]) -> tuple[str, ...]:
        """The kinds of step that what was read (the need, then the subjects) asks for first ("去哪里投诉" → the
        platform, "质押融资" → financing)."""
        return tuple(kind for key in read for kind in self.lead.get(key, ()))

    def leading(self, read: Iterable[str], steps: tuple[Step, ...]) -> Step | None:
        """The step the verdict leads with: the first written one of the kinds asked for first, else the card's
        first written one."""
        written = [s for s in steps if s.written]
        return next(
            (s for kind in self.asked(read) for s in written if s.kind == kind), written[0] if written else None
        )


@dataclass(frozen=True)
class StepBook:
    kinds: Mapping[str, str]  # kind → how a card's summary names it
    situations: dict[str, Situation]  # in the order they are tried
    verbs: tuple[str, ...] = ()  # what a user does, as the steps write it (each step names one)

    def names_an_action(self, text: str) -> bool:
        return any(verb in text for verb in self.verbs)

    def card(self, need: str, side: str | None, subjects: Iterable[str], plan: str) -> Situation | None:
        """The first situation these readings describe that has a card for this plan."""
        fitting = (self.situations[s] for s in self.fitting(need, side, subjects))
        return next((s for s in fitting if plan in s.steps), None)

    def resting_on(
        self, ref: str, sentences: Iterable[str], about: Iterable[str], fitting: Iterable[str] = ()
    ) -> Step | None:
        """A step written on one of these sentences of this clause that names one of the words ``about`` (an
        answer quoting the sentence can say what to do there: a sentence writing 质押融资 and 专利保险 carries an
        insurance step too, which does not answer a loan question). Of the situations ``fitting`` the question
        first (an accused asker is told the accused card's step), then of any."""
        quoted, words = set(sentences), tuple(about)
        first = [self.situations[s] for s in fitting if s in self.situations]
        return next(
            (
                step
                for situation in (*first, *self.situations.values())
                for steps in situation.steps.values()
                for step in steps
                if step.ref == ref and step.sentence in quoted and any(w in str(step.do) for w in words)
            ),
            None,
        )

    def serves(self, need: str) -> bool:
        """Some situation answers this need with steps (not "who is responsible": that is an agency's name)."""
        return any(need in s.needs for s in self.situations.values())

    def fitting(self, need: str, side: str | None, subjects: Iterable[str]) -> list[str]:
        """The situations that what was read fits, whatever the region."""
        subjects = tuple(subjects)
        return [s.id for s in self.situations.values() if s.fits(need, side, subjects)]


def without_stop(text: str) -> str:
    """A step's sentence without its full stop, for a citation to follow it."""
    return text.rstrip("。；;. ")


class StepsError(ValueError):
    """The step data is malformed: a missing field, an unknown kind or side, steps out of order."""


def load_steps(directory: Path) -> StepBook:
    index = yaml.safe_load((directory / INDEX).read_text(encoding="utf-8")) or {}
    kinds = {str(k): str(v) for k, v in (index.get("kinds") or {}).items()}
    situations = {}
    for situation_id in index.get("order") or ():
        path = directory / f"{situation_id}.yml"
        if not path.exists():
            raise StepsError(f"{situation_id}: named in {INDEX} but {path.name} is missing")
        situations[str(situation_id)] = _situation(str(situation_id), yaml.safe_load(path.read_text("utf-8")), kinds)
    unlisted = {p.stem for p in directory.glob("*.yml")} - set(situations) - {Path(INDEX).stem}
    if unlisted:
        raise StepsError(f"situations not in the order of {INDEX}: {', '.join(sorted(unlisted))}")
    return StepBook(kinds, situations, tuple(str(v) for v in index.get("verbs") or ()))


def _situation(situation_id: str, body: dict[str, Any] | None, known: Mapping[str, str]) -> Situation:
    body = body or {}
    when = body.get("when") or {}
    kinds = tuple(str(k) for k in body.get("kinds") or ())
    unknown = [k for k in kinds if k not in known]
    if unknown or not kinds:
        raise StepsError(f"{situation_id}: unknown kinds {unknown}" if unknown else f"{situation_id}: no kinds")
    sides = tuple(str(s) for s in when.get("sides") or SIDES)
    if set(sides) - set(SIDES):
        raise StepsError(f"{situation_id}: unknown sides {sorted(set(sides) - set(SIDES))}")
    if not when.get("needs"):
        raise StepsError(f"{situation_id}: no needs in `when`")
    steps = {}
    for slug, entries in (body.get("regions") or {}).items():
        parsed = tuple(_step(situation_id, str(slug), entry, kinds) for entry in entries or ())
        order = [kinds.index(s.kind) for s in parsed]
        if order != sorted(order):
            raise StepsError(f"{situation_id}/{slug}: steps out of the order {', '.join(kinds)}")
        steps[str(slug)] = parsed
    lead = {str(n): tuple(str(k) for k in ks) for n, ks in (body.get("lead") or {}).items()}
    return Situation(
        id=situation_id,
        name=str(body.get("name") or ""),
        needs=tuple(str(n) for n in when["needs"]),
        sides=sides,
        subjects=tuple(str(s) for s in when.get("subjects") or ()),
        kinds=kinds,
        steps=steps,
        lead=lead,
    )


def _step(situation: str, slug: str, entry: dict[str, object], kinds: tuple[str, ...]) -> Step:
    kind = str(entry.get("kind") or "")
    if kind not in kinds:
        raise StepsError(f"{situation}/{slug}: unknown kind {kind!r}")
    if entry.get("silent"):
        return Step(kind, silent=str(entry["silent"]))
    if not all(entry.get(name) for name in ("do", "ref", "sentence")):
        raise StepsError(f"{situation}/{slug}/{kind}: a step needs do, ref and sentence (or silent)")
    return Step(kind, str(entry["do"]), str(entry["ref"]), str(entry["sentence"]))
