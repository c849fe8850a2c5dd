"""Write jieba user-dictionary files for regions and agencies (``data/dict/``), from the gazetteer and the plans.

The files are committed: Rasa's JiebaTokenizer copies them into the model at training time, and the app's
tokenizer loads the same files. ``python -m bot.kb dict`` regenerates them; a test checks they are current.
"""

from __future__ import annotations

from pathlib import Path

from bot.kb.manifest import load_manifest
from bot.kb.parse import parse_plan
from bot.kb.regions import Gazetteer
from bot.settings import Settings

# No comment line: jieba would read it as a word. Format per line: 词 词频 词性.


def region_words(gazetteer: Gazetteer) -> list[str]:
    words: set[str] = set()
    for division in gazetteer.divisions:
        words.update((division.name, division.short, *division.aliases, *division.cities))
        words.update(f"{county}县" for county in division.counties)
        words.update(division.counties)
    return sorted(w for w in words if len(w) > 1)


def agency_words(settings: Settings) -> list[str]:
    names: set[str] = set()
    for entry in load_manifest(settings.seeds_dir):
        plan = parse_plan((settings.seeds_dir / entry.file).read_text(encoding="utf-8"))
        names.update(role.name for clause in plan.clauses for role in clause.agencies)
    return sorted(names)


def render(words: list[str], tag: str) -> str:
    return "".join(f"{word} 3000 {tag}\n" for word in words)


def expected_files(settings: Settings) -> dict[Path, str]:
    gazetteer = Gazetteer.load(settings.regions_file)
    return {
        settings.dict_dir / "regions.txt": render(region_words(gazetteer), "ns"),
        settings.dict_dir / "agencies.txt": render(agency_words(settings), "nt"),
    }


def write_dictionary(settings: Settings) -> list[Path]:
    settings.dict_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, content in expected_files(settings).items():
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
