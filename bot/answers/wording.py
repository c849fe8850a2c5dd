"""Reply wording: the ``responses`` of ``domain.yml``, the one home of every sentence the assistant says.

Rasa sends the domain with every action request, so the action server reads the wording from there; the CLI, the
staff console and the evaluations load the same file. Values are filled with ``{variables}``; a missing variable is
a bug (KeyError), never a silent gap in a reply. ``{notice}`` is the one exception: the disclaimer's wording
(``utter_notice``), filled in wherever a response shows it, so it is written once however it is presented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

NOTICE = "utter_notice"


class Wording:
    def __init__(self, responses: Mapping[str, Any]) -> None:
        self._responses = responses

    @classmethod
    def from_domain(cls, domain: Mapping[str, Any]) -> Wording:
        return cls(domain.get("responses") or {})

    @classmethod
    def load(cls, domain_file: Path) -> Wording:
        return cls.from_domain(yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {})

    def text(self, name: str, **values: object) -> str:
        """The first variant of a response with its ``{variables}`` filled."""
        variants = self._responses.get(name)
        if not variants:
            raise KeyError(f"response {name} is not in domain.yml")
        template = str(variants[0]["text"])
        if "{notice}" in template and "notice" not in values:
            values["notice"] = self.text(NOTICE)
        return template.format_map(dict(values))

    def has(self, name: str) -> bool:
        return bool(self._responses.get(name))


def names_in_code(project_root: Path) -> set[str]:
    """The responses the code renders: every "utter_…" literal of the actions and of bot/, and the limit
    wording the need table names (utter_limit_<limit>). Data validation and the domain tests compare it with
    domain.yml."""
    from bot.answers.needs import load_needs  # here, not at import: needs imports nothing of ours

    limits = {n.limit for n in load_needs(project_root / "data" / "needs.yml").values() if n.limit}
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in (project_root / "actions", project_root / "bot")
        for path in sorted(folder.rglob("*.py"))
    )
    return set(re.findall(r'"(utter_\w+)"', code)) | {f"utter_limit_{c}" for c in (*limits, "accused")}
