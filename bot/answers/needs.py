"""The need table (``data/needs.yml``): for each need the NLU reads, what the plans can do for it.

The model decides what the user wants; this table decides what that means for an answer — whether the plans serve
it, what a clause must hold to answer it, whether the region changes the answer, and which measures to point to
when the plans cannot decide it. No phrase of the user's is read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EVIDENCE_KINDS = ("subject", "channel", "specific")
SIDES = ("holder", "accused", "none")


@dataclass(frozen=True)
class Need:
    id: str
    label: str  # how a button names it (两步确认)
    served: bool
    evidence: str | None = None  # subject | channel | specific (served needs)
    channels: tuple[str, ...] = ()  # subject ids whose words answer a channel need
    avoid: tuple[str, ...] = ()  # subject ids of clauses that answer another need (举报奖励 for a report)
    prefer: tuple[str, ...] = ()  # subject ids that say what a subject need asks for, when several are named
    ask_region: bool = False  # where to go depends on where the user is
    limit: str | None = None  # utter_limit_<limit> when the plans cannot serve it
    nearest: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # side → subject ids
    accused_as: str | None = None  # the need to serve instead for an accused asker
    pairs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # channel → subjects the user must name
    measure_as: str | None = None  # the need that serves a measure the plans write, asked how to get (a procedure)

    def nearest_for(self, side: str | None) -> tuple[str, ...]:
        return self.nearest.get(side or "none", self.nearest.get("*", ()))


def load_needs(path: Path) -> dict[str, Need]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["needs"]
    needs = {}
    for need_id, entry in raw.items():
        evidence = entry.get("evidence")
        if entry["served"] and evidence not in EVIDENCE_KINDS:
            raise ValueError(f"{path}: need {need_id} is served but its evidence is {evidence!r}")
        if not entry["served"] and not entry.get("limit"):
            raise ValueError(f"{path}: need {need_id} is not served and names no limit wording")
        nearest = {str(side): tuple(ids) for side, ids in (entry.get("nearest") or {}).items()}
        if set(nearest) - {*SIDES, "*"}:
            raise ValueError(f"{path}: need {need_id} has nearest measures for unknown sides {sorted(nearest)}")
        needs[need_id] = Need(
            id=need_id,
            label=str(entry["label"]),
            served=bool(entry["served"]),
            evidence=evidence,
            channels=tuple(entry.get("channels") or ()),
            avoid=tuple(entry.get("avoid") or ()),
            prefer=tuple(entry.get("prefer") or ()),
            ask_region=entry.get("region") == "ask",
            limit=entry.get("limit"),
            nearest=nearest,
            accused_as=entry.get("accused_as"),
            measure_as=entry.get("measure_as"),
            pairs={str(c): tuple(ids) for c, ids in (entry.get("pairs") or {}).items()},
        )
    return needs
