"""Answers know the version: 贵州's text revised (tests/kb/test_versions.py makes it from the seed: clause 17's
lead agency changed, …) and added with the command; answers cite the version in force, say what changed in the
cited clause, and quote the 征求意见稿 when asked for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.answers.compose import answer
from bot.answers.model import Conversation, Parse
from bot.answers.needs import load_needs
from bot.answers.render import plain_text
from bot.answers.wording import Wording
from bot.kb.__main__ import main as kb_main
from bot.kb.query import KnowledgeBase
from bot.settings import Settings
from tests.kb.test_versions import GUIZHOU, make_scratch, revised_guizhou


@pytest.fixture(scope="module")
def revised_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("answers-versions")
    made = make_scratch(root)
    new_file = root / "guizhou-2021.txt"
    new_file.write_text(revised_guizhou((Settings().seeds_dir / GUIZHOU).read_text(encoding="utf-8")), "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEEDS_DIR", str(made.settings.seeds_dir))
        patch.setenv("DATABASE_URL", made.settings.database_url)
        assert kb_main(["add-version", "贵州", str(new_file), "--status", "已印发", "--issued", "2021-03-01"]) == 0
        yield made.kb()


NEEDS = load_needs(Settings().needs_file)


def test_an_answer_cites_the_version_in_force_and_says_what_changed(
    revised_kb: KnowledgeBase, wording: Wording
) -> None:
    reply = answer(revised_kb, NEEDS, wording, "贵州企业海外维权找谁", Parse.of("find_agency"), Conversation())
    text = plain_text(reply, wording)
    assert reply.refs[0] == "guizhou/17" and reply.contract()["citations"][0]["title"] == "贵州省 第17条（第2版）"
    assert text.startswith("贵州省的方案对此有规定（贵州省 第17条（第2版）），牵头单位是省市场监管局")
    assert "在第2版（已印发，2021年3月1日）中有修改：牵头单位由省商务厅改为省市场监管局" in text


def test_asking_for_the_draft_quotes_the_draft(revised_kb: KnowledgeBase, wording: Wording) -> None:
    first = answer(revised_kb, NEEDS, wording, "贵州企业海外维权找谁", Parse.of("find_agency"), Conversation())
    draft = answer(
        revised_kb,
        NEEDS,
        wording,
        "征求意见稿里怎么写的？",
        Parse(),
        Conversation(last_question=first.question, need=first.need),
    )
    text = plain_text(draft, wording)
    assert draft.kind == "answer" and draft.refs[0] == "guizhou@1/17"
    assert text.startswith("以下是第1版（征求意见稿") and "牵头单位：省商务厅" in text


def test_a_plan_with_one_version_answers_as_before(revised_kb: KnowledgeBase, wording: Wording) -> None:
    reply = answer(revised_kb, NEEDS, wording, "西藏驰名商标有奖励吗", Parse.of("seek_support"), Conversation())
    assert reply.refs[0] == "xizang/17" and not any("有修改" in note for note in reply.notes)
    draft = answer(
        revised_kb, NEEDS, wording, "西藏驰名商标奖励在征求意见稿里怎么写", Parse.of("seek_support"), Conversation()
    )
    assert draft.refs[0] == "xizang/17"  # 西藏's plan in force is itself the draft
