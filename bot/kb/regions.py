"""Region gazetteer: every provincial-level division of China, its short names and major cities.

Any mention (贵州, 黔, 遵义, 保德县, 浙江, 杭州 …) resolves to a division, so the assistant can say whether the
knowledge base has a plan for it — covered or not. One-character abbreviations (黔, 滇, 藏, 桂, 晋) are common
inside ordinary words (藏医药, 桂花, 晋升, 京东), so they count only when they stand alone or before 企/地/区/省.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_SUFFIX = r"(?:省|市|县|区|州|盟|地区|自治州|特别行政区)?"
# 藏区, 桂企, 黔地, 滇省 …: an abbreviation followed by one of these reads as the region.
_ABBREVIATION_CONTEXT = "企地区省籍内"
_STANDALONE_FILLERS = re.compile(
    r"^(?:那|那么|换成|换到|改成|我在|我是|我们是|我们在)?(?P<core>.+?)(?:的|呢|吗|啊|呀|怎么样|如何)*[?？!！。.,，\s]*$"
)


@dataclass(frozen=True)
class Division:
    name: str  # 贵州省
    short: str  # 贵州
    level: str
    capital: str
    abbreviations: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionMention:
    division: Division
    surface: str  # the text as written
    kind: str  # name | short | alias | abbreviation | city | county
    start: int
    end: int

    @property
    def locality(self) -> str | None:
        """The city or county named, when the mention is more specific than the division (遵义, 保德)."""
        return self.surface if self.kind in ("city", "county") else None


@dataclass
class Gazetteer:
    divisions: tuple[Division, ...]
    _surfaces: dict[str, tuple[Division, str]] = field(init=False, repr=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        surfaces: dict[str, tuple[Division, str]] = {}
        for division in self.divisions:
            for kind, names in (
                ("county", division.counties),
                ("city", division.cities),
                ("alias", division.aliases),
                ("short", (division.short,)),
                ("name", (division.name,)),
            ):
                for name in names:
                    surfaces[name] = (division, kind)
        self._surfaces = surfaces
        ordered = sorted(surfaces, key=len, reverse=True)  # longest first: 广西壮族自治区 before 广西
        self._pattern = re.compile("|".join(f"(?:{re.escape(name)}){_SUFFIX}" for name in ordered))
        self._abbreviations = {a: d for d in self.divisions for a in d.abbreviations}

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tuple(
                Division(
                    name=item["name"],
                    short=item["short"],
                    level=item["level"],
                    capital=item["capital"],
                    abbreviations=tuple(item.get("abbreviations") or ()),
                    aliases=tuple(item.get("aliases") or ()),
                    cities=tuple(item.get("cities") or ()),
                    counties=tuple(item.get("counties") or ()),
                )
                for item in raw
            )
        )

    def division(self, name: str) -> Division | None:
        """A division by its official name, short name or alias (贵州省, 贵州)."""
        found = self._surfaces.get(name)
        return found[0] if found and found[1] in ("name", "short", "alias") else None

    def find_all(self, text: str) -> list[RegionMention]:
        """Every region mention in the text, in order of appearance."""
        mentions: list[RegionMention] = []
        for found in self._pattern.finditer(text):
            surface = found.group(0)
            base = max((s for s in self._surfaces if surface.startswith(s)), key=len)
            division, kind = self._surfaces[base]
            mentions.append(RegionMention(division, surface, kind, found.start(), found.end()))
        mentions.extend(self._abbreviation_mentions(text, mentions))
        return sorted(mentions, key=lambda m: m.start)

    def resolve(self, text: str) -> RegionMention | None:
        """The first region a text mentions, or None."""
        mentions = self.find_all(text)
        return mentions[0] if mentions else None

    def _abbreviation_mentions(self, text: str, taken: list[RegionMention]) -> list[RegionMention]:
        standalone = _STANDALONE_FILLERS.match(text.strip())
        if standalone and standalone.group("core") in self._abbreviations:
            core = standalone.group("core")
            start = text.index(core)
            return [RegionMention(self._abbreviations[core], core, "abbreviation", start, start + 1)]
        found = []
        for index, char in enumerate(text):
            if char not in self._abbreviations or any(m.start <= index < m.end for m in taken):
                continue
            after = text[index + 1 : index + 2]
            before = text[index - 1 : index] if index else ""
            if after and after in _ABBREVIATION_CONTEXT and not ("\u4e00" <= before <= "\u9fff"):
                found.append(RegionMention(self._abbreviations[char], char, "abbreviation", index, index + 1))
        return found
