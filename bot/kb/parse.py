"""Parse a plan's text into records: a pure function from text to ``ParsedPlan``.

A plan is read line by line. Noise is dropped first (Word's ``[bookmark: _GoBack]``, the 云南 web page's header
and footer, 保德's distribution lines); then each line is a heading, the start of a numbered clause, the start of
an annex, a continuation of the current clause, or preamble. After ``附件`` the annex is either a work plan
(numbered tasks with a deadline in brackets) or a leading group (组长/副组长/成员 lines and its office).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.kb.assignment import parse_assignment, split_trailing_parenthetical
from bot.kb.numbering import Numbered, match_numbered
from bot.kb.records import Clause, LeadershipMember, ParsedPlan, Section, Task

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# Lines of web-page chrome and of office distribution; any of them ends the clause before it.
_NOISE = re.compile(
    r"^(您的位置|【字体|来源[:：]|中国政府网|微信\s*微博|主办单位|运行维护|政务服务便民热线|曝光|网站支持|网站地图"
    r"|公众号|抄送[:：]|共印\d+份)"
    r"|ICP备|公网安备|政府网站标识码|\|"
    r"|^\d{4}年\d{1,2}月\d{1,2}日(印发)?$"
    r"|^[(（]\d{4}年\d{1,2}月\d{1,2}日[,，]\S+[)）]$"
)
_ANNEX = re.compile(r"^附\s*件[:：]?\s*(\d+)?$")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号$")
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
_TASK_DEADLINE = re.compile(r"^(?P<text>.*?)\s*[（(](?P<deadline>[^（）()]+)[)）]$")
_LEADER_ROLE = re.compile(r"^(?P<role>组\s*长|副\s*组\s*长|成\s*员)\s*[:：]\s*(?P<rest>.*)$")
_OFFICE = re.compile(r"^\S*(领导组|领导小组)办公室设在")
_SENTENCE_END = re.compile(r"(?<=[。！？；;])")


def clean_line(line: str) -> str:
    """Strip page noise that sits inside a line and all kinds of surrounding blank (incl. U+3000)."""
    return _BOOKMARK.sub("", line).strip(" \t\r\n\u3000\ufeff")


def is_noise(line: str) -> bool:
    return bool(_NOISE.search(line))


def clause_title(body: str) -> str:
    """The short heading sentence: up to the first full stop, or the first comma when that sentence is long."""
    first = body.split("。", 1)[0]
    if len(first) > 40:
        first = re.split("[，,]", first, maxsplit=1)[0]
    return first.strip()


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？；, kept with their punctuation, so a quote reads as the plan wrote it."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


@dataclass
class _ClauseDraft:
    numbered: Numbered
    section: int | None
    lines: list[str] = field(default_factory=list)

    def finish(self, ordinal: int) -> Clause:
        text = "".join(self.lines)
        body, assignment = split_trailing_parenthetical(text)
        agencies, deadline = parse_assignment(assignment) if assignment else ((), None)
        return Clause(
            ordinal=ordinal,
            number=self.numbered.number,
            section=self.section,
            title=clause_title(body),
            text=text,
            body=body,
            assignment=assignment,
            agencies=agencies,
            deadline=deadline,
        )


@dataclass
class _Reader:
    sections: list[Section] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    leadership: list[LeadershipMember] = field(default_factory=list)
    annex_title: str | None = None
    leadership_group: str | None = None
    leadership_office: str | None = None
    part: str = "body"  # body | annex | leadership | closed
    draft: _ClauseDraft | None = None
    leader_role: str | None = None

    # -- helpers --------------------------------------------------------------------------------------------
    def _close_draft(self) -> None:
        if self.draft is not None:
            self.clauses.append(self.draft.finish(self.draft.numbered.value))
            self.draft = None

    def _current_section(self) -> int | None:
        return self.sections[-1].ordinal if self.sections else None

    def _add_section(self, numbered: Numbered, part: Literal["body", "annex"]) -> None:
        # 一、/2、 and 西藏's "1. 总体要求…" are top level; （一） nests under the last top-level heading.
        parent = None
        if numbered.style in ("cn_paren", "arabic_paren"):
            parents = [s for s in self.sections if s.part == part and s.parent is None]
            parent = parents[-1].ordinal if parents else None
        self.sections.append(Section(len(self.sections) + 1, numbered.number, numbered.rest.strip(), part, parent))

    # -- states ---------------------------------------------------------------------------------------------
    def read(self, line: str) -> None:
        if self.part == "closed":
            return
        if _ANNEX.match(line):
            self._close_draft()
            self.part = "annex"
            return
        if self.part == "body":
            self._read_body(line)
        elif self.part == "annex":
            self._read_annex(line)
        elif self.part == "leadership":
            self._read_leadership(line)

    def _read_body(self, line: str) -> None:
        numbered = match_numbered(line)
        if numbered and numbered.looks_like_heading:
            self._close_draft()
            self._add_section(numbered, "body")
        elif numbered:
            self._close_draft()
            self.draft = _ClauseDraft(numbered, self._current_section(), [numbered.rest.strip()])
        elif self.draft is not None:
            self.draft.lines.append(line)
        # else: preamble before the first clause (title, 印发 notice, general requirements) — not a clause.

    def _read_annex(self, line: str) -> None:
        if self.annex_title is None:
            self.annex_title = line
            if "领导组" in line or "领导小组" in line:
                self.leadership_group = line
                self.part = "leadership"
            return
        numbered = match_numbered(line)
        if numbered and numbered.looks_like_heading and numbered.style != "arabic_dot":
            self._add_section(numbered, "annex")
        elif numbered and numbered.style == "arabic_dot":
            found = _TASK_DEADLINE.match(numbered.rest)
            text, deadline = (found.group("text"), found.group("deadline")) if found else (numbered.rest, None)
            self.tasks.append(Task(numbered.value, self._current_section(), text.strip(), deadline))
        elif self.tasks:
            # A task that wraps onto the next line (not seen in the seeds, but plans are pasted from Word).
            last = self.tasks[-1]
            self.tasks[-1] = Task(last.number, last.section, last.text + line, last.deadline)

    def _read_leadership(self, line: str) -> None:
        if _OFFICE.match(line):
            self.leadership_office = line
            self.part = "closed"  # what follows is the issuer's sign-off and distribution
            return
        role_line = _LEADER_ROLE.match(line)
        if role_line:
            self.leader_role = re.sub(r"\s+", "", role_line.group("role"))
            line = role_line.group("rest")
        if self.leader_role is None or not line:
            return
        parts = line.split()
        if len(parts) == 1:
            self.leadership.append(LeadershipMember(self.leader_role, None, parts[0]))
        else:  # "冯  云  县委宣传部常务副部长": the name's characters may be spaced out; the post is last.
            self.leadership.append(LeadershipMember(self.leader_role, "".join(parts[:-1]), parts[-1]))


def parse_plan(text: str) -> ParsedPlan:
    """Parse the full text of one plan. Pure: no I/O, same text → same records."""
    reader = _Reader()
    front_matter: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)
        if not line:
            continue
        if is_noise(line):
            reader._close_draft()
            continue
        if not reader.clauses and reader.draft is None:
            front_matter.append(line)
        reader.read(line)
    reader._close_draft()

    doc_number = next((found for line in front_matter if (found := _DOC_NUMBER.match(line))), None)
    return ParsedPlan(
        sections=tuple(reader.sections),
        clauses=tuple(reader.clauses),
        tasks=tuple(reader.tasks),
        annex_title=reader.annex_title,
        leadership_group=reader.leadership_group,
        leadership=tuple(reader.leadership),
        leadership_office=reader.leadership_office,
        doc_number=doc_number.group(0) if doc_number else None,
        dates=tuple(dict.fromkeys(_DATE.findall(text))),
    )
