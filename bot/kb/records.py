"""Plain records produced by the parser: what a plan says, before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["lead", "responsible"]

ROLE_LABELS: dict[str, str] = {"lead": "牵头单位", "responsible": "责任单位"}


@dataclass(frozen=True)
class AgencyRole:
    """An agency as the plan writes it (省商务厅, 县司法局 …) and its role in one clause."""

    name: str
    role: Role


@dataclass(frozen=True)
class Section:
    """A heading such as 三、健全知识产权大保护工作格局; ``parent`` is the ordinal of the enclosing heading."""

    ordinal: int
    number: str
    title: str
    part: Literal["body", "annex"] = "body"
    parent: int | None = None


@dataclass(frozen=True)
class Clause:
    """One numbered measure of a plan.

    ``text`` is the clause as printed (without page noise); ``body`` is the same without the trailing assignment
    parenthetical, whose raw wording is kept in ``assignment``. ``agencies`` is empty where the plan names none.
    """

    ordinal: int
    number: str
    section: int | None
    title: str
    text: str
    body: str
    assignment: str | None = None
    agencies: tuple[AgencyRole, ...] = ()
    deadline: str | None = None


@dataclass(frozen=True)
class Task:
    """A task of an annexed work plan (云南's 推进计划), with its deadline exactly as written."""

    number: int
    section: int | None
    text: str
    deadline: str | None


@dataclass(frozen=True)
class LeadershipMember:
    """A member of a leading group (保德's 知识产权发展和保护领导组); ``name`` is None for a unit member."""

    role: str
    name: str | None
    post: str


@dataclass(frozen=True)
class ParsedPlan:
    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]
    tasks: tuple[Task, ...] = ()
    annex_title: str | None = None
    leadership_group: str | None = None
    leadership: tuple[LeadershipMember, ...] = ()
    leadership_office: str | None = None
    doc_number: str | None = None
    dates: tuple[str, ...] = field(default=())
