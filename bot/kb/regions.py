"""Region gazetteer: every provincial-level division of China, its short names and major cities.

Any mention (贵州, 黔, 遵义, 保德县, 浙江, 杭州 …) resolves to a division, so the assistant can say whether the
knowledge base has a plan for it — covered or not. One-character abbreviations (黔, 滇, 藏, 桂, 晋) are common
inside ordinary words (藏医药, 桂花, 晋升, 京东), so one counts only between neighbours that make it a place name:
start or a function word before it (在黔, 和滇), and after it a place-like word or a function word (黔企, 滇这边,
桂的, 黔滇两省). Abbreviations that are everyday characters (黑名单, 新品种, 平台, 青稞 …) never count alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_SUFFIX = r"(?:省|市|县|区|州|盟|地区|自治州|特别行政区)?"
# Abbreviations that are also everyday characters in this domain (黑名单, 新品种, 平台, 青稞, 申请, 云计算 …).
AMBIGUOUS_ABBREVIATIONS = frozenset("黑新台青宁吉甘港澳蒙苏云贵申蜀秦陇")
# A locative before an abbreviation makes it a place whatever follows (在黔申请, 到滇办厂).
ABBREVIATION_LOCATIVE = "在从到去"
# Otherwise, before it: the start, a non-Chinese character, or one of these function words …
ABBREVIATION_BEFORE = "和跟与及、对比"
# … and after it: the end, a non-Chinese character, or one of these (place-like words and function words).
ABBREVIATION_AFTER = "企地区省籍内商呢吗的这那和跟与及、两查在"
# City names that are far more often something else in this domain: 阿里 (阿里巴巴, "阿里被投诉卖假货") is 西藏's
# 阿里地区 only when written with 地区 or beside 西藏/藏.
HOMONYM_CITIES = {"阿里": ("地区", "西藏", "藏")}
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
        self._abbreviations = {
            a: d for d in self.divisions for a in d.abbreviations if len(a) == 1 and a not in AMBIGUOUS_ABBREVIATIONS
        }

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

    def abbreviations(self) -> set[str]:
        """The one-character abbreviations that can stand for their division (not the everyday ones)."""
        return set(self._abbreviations)

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
            if base in HOMONYM_CITIES and not _homonym_is_place(text, found.start(), surface, base):
                continue
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
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            after_locative = bool(before) and before in ABBREVIATION_LOCATIVE
            between_fitting_neighbours = _fits(before, ABBREVIATION_BEFORE, self._abbreviations) and _fits(
                after, ABBREVIATION_AFTER, self._abbreviations
            )
            if after_locative or between_fitting_neighbours:
                found.append(RegionMention(self._abbreviations[char], char, "abbreviation", index, index + 1))
        return found


def _homonym_is_place(text: str, start: int, surface: str, base: str) -> bool:
    cues = HOMONYM_CITIES[base]
    return surface != base or any(cue in text[max(0, start - 4) : start + len(surface) + 2] for cue in cues)


def _is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _fits(neighbour: str, allowed: str, abbreviations: dict[str, Division]) -> bool:
    return not neighbour or not _is_chinese(neighbour) or neighbour in allowed or neighbour in abbreviations


def abbreviation_pattern(abbreviations: str) -> str:
    """The same rule as a regular expression, for Rasa's RegexEntityExtractor (data/nlu/lookups/region.yml)."""
    chars = re.escape(abbreviations)
    locative = re.escape(ABBREVIATION_LOCATIVE)
    before = re.escape(ABBREVIATION_BEFORE)
    after = re.escape(ABBREVIATION_AFTER)
    return (
        f"(?<=[{locative}])[{chars}]"
        f"|(?:(?<![\\u4e00-\\u9fff])|(?<=[{before}{chars}]))[{chars}](?=$|[^\\u4e00-\\u9fff]|[{after}{chars}])"
    )
