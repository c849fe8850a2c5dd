"""Versions of a plan: ``python -m bot.kb add-version`` on a scratch copy of the seeds and a scratch database.

The revised text is made here from the real 贵州 seed with four edits — the agencies of clause 17, one sentence
deleted from clause 11, clauses 14 and 15 swapped (renumbered), a clause 24 added — and the change list must be
exactly those four edits.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from bot.kb.__main__ import main as kb_main
from bot.kb.changelog import change_phrases
from bot.kb.db import make_engine
from bot.kb.load import build
from bot.kb.manifest import load_manifest
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import Settings

GUIZHOU = "guizhou-shishi-yijian-zqyj.txt"
OLD_17 = "（省商务厅牵头，贵州银保监局、省市场监管局按职责分工负责）"
NEW_17 = "（省市场监管局牵头，省商务厅、贵州银保监局按职责分工负责）"
DELETED = "鼓励行业协会、商会建立知识产权保护自律机制。"
ADDED = (
    "（二十四）加强数据知识产权保护。探索建立数据知识产权登记制度，依法保护企业数据权益。"
    "（省大数据局牵头，省市场监管局按职责分工负责）"
)


def revised_guizhou(seed: str) -> str:
    """The four edits, each checked to apply exactly once to the seed text."""
    assert seed.count(OLD_17) == 1 and seed.count(DELETED) == 1
    lines = seed.split("\n")
    i14 = next(i for i, line in enumerate(lines) if line.startswith("（十四）"))
    i15 = next(i for i, line in enumerate(lines) if line.startswith("（十五）"))
    lines[i14], lines[i15] = "（十四）" + lines[i15][len("（十五）") :], "（十五）" + lines[i14][len("（十四）") :]
    i23 = next(i for i, line in enumerate(lines) if line.startswith("（二十三）"))
    lines.insert(i23 + 1, ADDED)
    return "\n".join(lines).replace(OLD_17, NEW_17).replace(DELETED, "")


@dataclass(frozen=True)
class Scratch:
    settings: Settings
    root: Path

    @property
    def manifest(self) -> Path:
        return self.settings.seeds_dir / "manifest.yml"

    def state(self) -> tuple[bytes, list[str], list[str]]:
        """Manifest bytes, seed files, and every clause ref with its status in the database."""
        kb = self.kb()
        refs = [f"{i.ref}:{i.document.status}" for i in kb.snapshot.items]
        refs += [f"{d.slug}@{d.version}" for slug in ("guizhou", "xizang") for d in kb.plan_history.versions(slug)]
        return self.manifest.read_bytes(), sorted(p.name for p in self.settings.seeds_dir.iterdir()), refs

    def kb(self) -> KnowledgeBase:
        return open_knowledge_base(self.settings)


def make_scratch(root: Path) -> Scratch:
    seeds = root / "seeds"
    shutil.copytree(Settings().seeds_dir, seeds)
    settings = Settings(database_url=f"sqlite:///{root / 'kb.sqlite3'}", seeds_dir=seeds)
    engine = make_engine(settings.database_url)
    build(engine, settings)
    engine.dispose()
    return Scratch(settings, root)


@pytest.fixture()
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scratch:
    made = make_scratch(tmp_path)
    monkeypatch.setenv("SEEDS_DIR", str(made.settings.seeds_dir))
    monkeypatch.setenv("DATABASE_URL", made.settings.database_url)
    return made


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Scratch, Path]]:
    """A scratch knowledge base where 贵州's revised text was added with the command."""
    root = tmp_path_factory.mktemp("versions")
    made = make_scratch(root)
    text = revised_guizhou((Settings().seeds_dir / GUIZHOU).read_text(encoding="utf-8"))
    new_file = root / "guizhou-2021.txt"
    new_file.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEEDS_DIR", str(made.settings.seeds_dir))
        patch.setenv("DATABASE_URL", made.settings.database_url)
        code = kb_main(
            [
                "add-version",
                "贵州",
                str(new_file),
                "--status",
                "已印发",
                "--issued",
                "2021-03-01",
                "--number",
                "黔府办发〔2021〕5号",
            ]
        )
        assert code == 0
        yield made, new_file


def test_the_new_text_is_in_force_and_the_draft_kept_as_superseded(revised: tuple[Scratch, Path]) -> None:
    made, new_file = revised
    guizhou = next(e for e in load_manifest(made.settings.seeds_dir) if e.id == "guizhou")
    assert (guizhou.version, guizhou.status, guizhou.date, guizhou.doc_number) == (
        2,
        "已印发",
        "2021年3月1日",
        "黔府办发〔2021〕5号",
    )
    assert guizhou.title == "贵州省关于强化知识产权保护的实施意见"  # （征求意见稿） dropped once issued
    assert [(v.version, v.status, v.file) for v in guizhou.history] == [(1, "征求意见稿", GUIZHOU)]
    assert guizhou.history[0].superseded == guizhou.added
    assert (made.settings.seeds_dir / guizhou.file).read_bytes() == new_file.read_bytes()

    kb = made.kb()
    in_force = [c for c in kb.snapshot.clauses if c.document.slug == "guizhou"]
    assert len(in_force) == 24 and {c.document.status for c in in_force} == {"已印发"}
    assert len(kb.snapshot.documents) == 5  # the draft is not in what answers are drawn from
    assert [a.name for a in kb.clause("贵州", "17").leads] == ["省市场监管局"]
    draft_17 = kb.by_ref("guizhou@1/17")
    assert draft_17.document.status == "征求意见稿" and [a.name for a in draft_17.leads] == ["省商务厅"]
    assert [(d.version, d.in_force) for d in kb.versions("guizhou")] == [(1, False), (2, True)]


def test_the_change_list_is_exactly_the_four_edits(revised: tuple[Scratch, Path]) -> None:
    kb = revised[0].kb()
    changes = [c for c in kb.changes("贵州") if "/task-" not in "".join(c.new_refs)]
    notable = [(c.kind, c.old_ordinals, c.new_ordinals) for c in changes if c.kind != "unchanged" or c.renumbered]
    assert notable == [
        ("changed", (11,), (11,)),
        ("unchanged", (15,), (14,)),
        ("unchanged", (14,), (15,)),
        ("changed", (17,), (17,)),
        ("added", (), (24,)),
    ]
    by_new = {c.new_ordinals: c for c in changes}
    eleven = by_new[(11,)]
    assert eleven.sentences_removed == (DELETED,) and not eleven.sentences_added and not eleven.sentences_modified
    assert not eleven.agencies_changed and not eleven.deadline_changed
    seventeen = by_new[(17,)]
    assert seventeen.agencies_before == (
        ("省商务厅", "lead"),
        ("贵州银保监局", "responsible"),
        ("省市场监管局", "responsible"),
    )
    assert seventeen.agencies_after == (
        ("省市场监管局", "lead"),
        ("省商务厅", "responsible"),
        ("贵州银保监局", "responsible"),
    )
    assert not seventeen.text_changed
    assert by_new[(14,)].old_refs == ("guizhou@1/15",) and by_new[(14,)].new_refs == ("guizhou/14",)
    added = by_new[(24,)]
    assert added.new_refs == ("guizhou/24",) and added.agencies_after == (
        ("省大数据局", "lead"),
        ("省市场监管局", "responsible"),
    )
    assert sum(1 for c in changes if c.kind == "unchanged" and not c.renumbered) == 19


def test_changes_command_prints_them_in_chinese(
    revised: tuple[Scratch, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    made = revised[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", made.settings.database_url)
        assert bot_main(["changes", "guizhou"]) == 0
    out = capsys.readouterr().out
    assert "第1版（征求意见稿，原文未注明日期）——已被取代" in out
    assert "第2版（已印发，2021年3月1日，黔府办发〔2021〕5号）——现行" in out
    assert "第1版 → 第2版：修改2条，新增1条，仅调整编号2条，未变19条" in out
    assert "  牵头单位：省商务厅 → 省市场监管局" in out
    assert f"  删去：“{DELETED}”" in out
    assert "[编号调整] 原第14条 加强跨区域跨部门保护协作 → 第15条（内容未变）" in out
    assert "[新增] 第24条 加强数据知识产权保护" in out


def test_history_of_a_clause_and_what_an_old_citation_means_now(revised: tuple[Scratch, Path]) -> None:
    kb = revised[0].kb()
    lineage = kb.history("guizhou/17")
    assert [(v.document.version, v.item.ref if v.item else None) for v in lineage] == [
        (1, "guizhou@1/17"),
        (2, "guizhou/17"),
    ]
    assert lineage[0].change is None and lineage[1].change is not None and lineage[1].change.agencies_changed
    assert kb.latest_change("guizhou/17") == lineage[1].change
    assert kb.latest_change("guizhou/1") is not None and kb.latest_change("guizhou/1").kind == "unchanged"  # type: ignore[union-attr]
    assert kb.latest_change("yunnan/14") is None  # a plan with one version

    added_at = kb.versions("贵州")[-1].added_at
    before = "2020-06-01T08:00:00"
    cited_17 = kb.cited("guizhou/17", before)  # feedback on an answer that cited the draft's clause 17
    assert cited_17.then is not None and cited_17.then.ref == "guizhou@1/17" and cited_17.changed
    assert [i.ref for i in cited_17.now] == ["guizhou/17"]
    moved = kb.cited("guizhou/14", before)  # the draft's 14 is the issued text's 15, word for word
    assert [i.ref for i in moved.now] == ["guizhou/15"] and not moved.changed
    assert not kb.cited("guizhou/17", added_at).changed  # cited after the revision: the text in force


def test_a_feedback_that_cited_the_old_clause_is_flagged_for_review(revised: tuple[Scratch, Path]) -> None:
    """Feedback given before the revision on an answer citing clauses 17 and 14 of the draft: 17 changed (flagged,
    with the old and the new text), 14 only moved to 15 (not flagged)."""
    kb = revised[0].kb()
    flagged = kb.changed_citations(["guizhou/17", "guizhou/14", "guizhou/17"], datetime(2025, 5, 1, 9, 30))
    assert [(c.then.ref, [n.ref for n in c.now]) for c in flagged if c.then] == [("guizhou@1/17", ["guizhou/17"])]
    assert "省商务厅牵头" in flagged[0].then.text and "省市场监管局牵头" in flagged[0].now[0].text  # type: ignore[union-attr]
    assert kb.changed_citations(["guizhou/17"], datetime.now(timezone.utc)) == []  # cited the text in force


def test_the_draft_of_a_clause_is_one_question_away(revised: tuple[Scratch, Path]) -> None:
    kb = revised[0].kb()
    draft = kb.in_version("guizhou/17", status="征求意见稿")
    assert draft is not None and draft.item is not None and draft.item.ref == "guizhou@1/17"
    assert [a.name for a in draft.item.leads] == ["省商务厅"] and draft.document.status == "征求意见稿"
    assert kb.in_version("guizhou/14", version=1).item.ref == "guizhou@1/15"  # type: ignore[union-attr]
    assert kb.in_version("guizhou/24", status="征求意见稿") is None  # added in the issued text
    assert kb.in_version("yunnan/14", status="征求意见稿") is None


def test_adding_the_same_file_twice_changes_nothing(
    revised: tuple[Scratch, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    made, new_file = revised
    before = made.state()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEEDS_DIR", str(made.settings.seeds_dir))
        patch.setenv("DATABASE_URL", made.settings.database_url)
        assert kb_main(["add-version", "guizhou", str(new_file), "--status", "已印发"]) == 0
    assert "已收录为贵州省方案第2版（现行版本），未作改动" in capsys.readouterr().out
    assert made.state() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("关于召开知识产权保护座谈会的通知\n各有关单位：定于下周召开座谈会。\n".encode(), "不像一份实施方案"),
        ("（一）加强保护。".encode("gb18030"), "不是 UTF-8 编码"),
    ],
)
def test_a_file_that_is_not_a_plan_is_refused_and_nothing_changes(
    scratch: Scratch, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    before = scratch.state()
    bad = scratch.root / "notice.txt"
    bad.write_bytes(content)
    assert kb_main(["add-version", "贵州", str(bad), "--status", "已印发"]) == 2
    assert message in capsys.readouterr().err
    assert scratch.state() == before


def test_a_failed_rebuild_puts_the_manifest_and_seeds_back(
    scratch: Scratch, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, files, _ = scratch.state()
    new_file = scratch.root / "guizhou-2021.txt"
    new_file.write_text(revised_guizhou((Settings().seeds_dir / GUIZHOU).read_text(encoding="utf-8")), encoding="utf-8")
    unusable = scratch.root / "a-directory"
    unusable.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{unusable}")  # the trial build passes, the real one cannot open
    assert kb_main(["add-version", "贵州", str(new_file), "--status", "已印发"]) == 1
    assert "知识库重建失败" in capsys.readouterr().err
    assert scratch.manifest.read_bytes() == manifest
    assert sorted(p.name for p in scratch.settings.seeds_dir.iterdir()) == files


def test_the_one_line_an_answer_can_give(revised: tuple[Scratch, Path]) -> None:
    change = revised[0].kb().latest_change("guizhou/17")
    assert change is not None and change_phrases(change) == [
        "牵头单位由省商务厅改为省市场监管局",
        "责任单位由贵州银保监局、省市场监管局改为省商务厅、贵州银保监局",
    ]
    eleven = revised[0].kb().latest_change("guizhou/11")
    assert eleven is not None and change_phrases(eleven) == ["删去1句"]


def test_a_bad_date_is_a_chinese_message(scratch: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        kb_main(["add-version", "贵州", "x.txt", "--status", "已印发", "--issued", "2021-02-30"])
    assert exit_info.value.code == 2 and "日期“2021-02-30”无效" in capsys.readouterr().err


def test_an_unknown_plan_is_refused(scratch: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    new_file = scratch.root / "x.txt"
    new_file.write_text(revised_guizhou((Settings().seeds_dir / GUIZHOU).read_text(encoding="utf-8")), encoding="utf-8")
    assert kb_main(["add-version", "浙江", str(new_file), "--status", "已印发"]) == 2
    assert "没有找到方案“浙江”" in capsys.readouterr().err


def test_a_knowledge_base_built_before_versions_is_recreated(scratch: Scratch) -> None:
    engine = make_engine(scratch.settings.database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("drop table kb_documents")
        connection.exec_driver_sql("create table kb_documents (id integer primary key, slug varchar(40) unique)")
    build(engine, scratch.settings)
    engine.dispose()
    assert scratch.kb().clause("贵州", "17").document.version == 1
