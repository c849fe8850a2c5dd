"""The manifest describes each seed as the text itself does; seeds are the shared originals, verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.manifest import ManifestError, load_manifest
from bot.kb.parse import parse_plan
from bot.settings import PROJECT_ROOT, Settings

SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


def entries() -> dict[str, object]:
    return {e.id: e for e in load_manifest(Settings().seeds_dir)}


def test_five_documents_with_region_level_and_status() -> None:
    manifest = entries()
    assert {k: (e.region, e.level, e.status) for k, e in manifest.items()} == {  # type: ignore[attr-defined]
        "guizhou": ("贵州省", "province", "征求意见稿"),
        "yunnan": ("云南省", "province", "已印发"),
        "baode": ("山西省忻州市保德县", "county", "已印发"),
        "xizang": ("西藏自治区", "autonomous_region", "征求意见稿"),
        "guangxi": ("广西壮族自治区", "autonomous_region", "已印发"),
    }


def test_baode_number_and_date_agree_with_the_text() -> None:
    baode = entries()["baode"]
    text = (Settings().seeds_dir / baode.file).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    parsed = parse_plan(text)
    assert baode.doc_number == parsed.doc_number == "保政办发〔2020〕143号"  # type: ignore[attr-defined]
    assert baode.date == "2020年12月29日" and baode.date in parsed.dates  # type: ignore[attr-defined]


@pytest.mark.parametrize("slug", ["guizhou", "yunnan", "baode", "xizang", "guangxi"])
def test_titles_appear_in_their_texts(slug: str) -> None:
    entry = entries()[slug]
    text = (Settings().seeds_dir / entry.file).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    core = entry.title.replace("（征求意见稿）", "").split(" ")[-1]  # type: ignore[attr-defined]
    assert core.replace("进一步", "") in text.replace("\n", "").replace("进一步", "")


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the shared seeds are beside the clone in this workplace")
def test_seed_files_are_verbatim_copies_of_the_shared_originals() -> None:
    originals = {p.read_bytes() for p in SHARED_SEEDS.glob("*.txt")}
    copies = {(Settings().seeds_dir / e.file).read_bytes() for e in entries().values()}  # type: ignore[attr-defined]
    assert copies == originals


def test_a_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.yml").write_text("documents:\n  - id: x\n    file: missing.txt\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="缺少字段"):
        load_manifest(tmp_path)
    with pytest.raises(ManifestError, match="无法读取"):
        load_manifest(tmp_path / "nowhere")


def test_a_later_entry_of_an_id_is_the_version_in_force_and_inherits_the_region(tmp_path: Path) -> None:
    for name in ("draft.txt", "issued.txt"):
        (tmp_path / name).write_text("（一）加强保护。", encoding="utf-8")
    (tmp_path / "manifest.yml").write_text(
        "documents:\n"
        "  - {id: demo, file: draft.txt, region: 某省, province: 某省, level: province, title: 方案（征求意见稿）,"
        " status: 征求意见稿, issuer: 某省办公厅}\n"
        "  - {id: demo, version: 2, file: issued.txt, title: 方案, status: 已印发, issued: '2021-03-01',"
        " added: '2026-11-30T12:00:00Z'}\n",
        encoding="utf-8",
    )
    (entry,) = load_manifest(tmp_path)
    assert (entry.version, entry.file, entry.status, entry.region, entry.level, entry.issuer) == (
        2,
        "issued.txt",
        "已印发",
        "某省",
        "province",
        "某省办公厅",
    )
    assert [(v.version, v.file, v.superseded) for v in entry.versions] == [
        (1, "draft.txt", "2026-11-30T12:00:00Z"),
        (2, "issued.txt", None),
    ]


def test_a_repeated_id_without_a_higher_version_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("（一）加强保护。", encoding="utf-8")
    entry = "  - {id: demo, file: a.txt, region: 某省, province: 某省, level: province, title: 方案, status: 已印发}\n"
    (tmp_path / "manifest.yml").write_text("documents:\n" + entry + entry, encoding="utf-8")
    with pytest.raises(ManifestError, match="duplicate document id 'demo'"):
        load_manifest(tmp_path)
