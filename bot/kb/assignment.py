"""The trailing parenthetical of a clause that assigns the work: who leads, who is responsible, and by when.

Forms seen in the plans (all must be read; none may be guessed):

- ``（省商务厅牵头，贵州银保监局、省市场监管局按职责分工负责）``
- ``（省人大办公厅牵头、省政协教科卫体委、…按职责分工负责）`` (lead separated by 、)
- ``（省法院负责）`` and ``（自治区市场监管局牵头，…拉萨海关按职责分工负责配合）``
- ``(自治区高级人民法院、…按职责分工负责)`` (no lead; half-width parentheses)
- 保德: ``（完成时限：2022年。责任单位：县法院、县检察院、县司法局）`` with the variants 完成时报/完成时间,
  ``责任单位；`` and ``各乡（镇）党委、政府``.
"""

from __future__ import annotations

import re

from bot.kb.records import AgencyRole

_OPEN, _CLOSE = "（(", "）)"
_ASSIGNMENT_MARKERS = ("牵头", "负责", "责任单位", "完成时限", "配合")
_DEADLINE_FORM = re.compile(
    r"完成时[限报间]\s*[:：;；]\s*(?P<deadline>[^。；;]+?)\s*[。；;，,]\s*责任单位\s*[:：;；]\s*(?P<units>.+)$"
)
_RESPONSIBLE_SUFFIX = re.compile(r"(按照?职责分工)?负责(配合)?$|配合$")


def split_trailing_parenthetical(line: str) -> tuple[str, str | None]:
    """``"正文。（甲牵头，乙负责）"`` → ``("正文。", "甲牵头，乙负责")``; nested brackets (各乡（镇）) are kept."""
    stripped = line.rstrip()
    if not stripped or stripped[-1] not in _CLOSE:
        return line, None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            depth -= 1
            if depth == 0:
                inner = stripped[index + 1 : -1].strip()
                if any(marker in inner for marker in _ASSIGNMENT_MARKERS):
                    return stripped[:index].rstrip(), inner
                return line, None
    return line, None


def _split_units(units: str) -> list[str]:
    """Split a list of units on 、，, ；; outside brackets; rejoin ``…党委、政府`` which the plans write as one unit."""
    parts: list[str] = []
    depth, current = 0, list[str]()
    for char in units:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        if depth == 0 and char in "、，,；;":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    names: list[str] = []
    for part in parts:
        name = re.sub(r"\s+", "", part).strip("。.")
        name = re.sub(r"等$", "", name)  # "县法院等": the unit is 县法院; the list is open-ended
        if not name:
            continue
        if name == "政府" and names and names[-1].endswith("党委"):
            names[-1] = f"{names[-1]}、政府"
            continue
        names.append(name)
    return names


def parse_assignment(text: str) -> tuple[tuple[AgencyRole, ...], str | None]:
    """Agencies (in the order written) and the deadline stated in an assignment parenthetical."""
    deadline: str | None = None
    found = _DEADLINE_FORM.search(text)
    if found:
        deadline = found.group("deadline").strip()
        return tuple(AgencyRole(n, "responsible") for n in _split_units(found.group("units"))), deadline

    roles: list[AgencyRole] = []
    rest = text
    if "牵头" in text:
        lead, _, rest = text.partition("牵头")
        roles.extend(AgencyRole(name, "lead") for name in _split_units(lead))
        rest = rest.lstrip("，,、；; ")
    rest = _RESPONSIBLE_SUFFIX.sub("", rest.strip())
    roles.extend(AgencyRole(name, "responsible") for name in _split_units(rest))
    return tuple(roles), deadline
