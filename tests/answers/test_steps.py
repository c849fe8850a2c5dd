"""The step data (data/steps/) against the plans: every step rests on a sentence its clause really holds, of the
region's own plan, and names no agency, channel, number or date that sentence does not; each region's card has
every kind of step, in order, written or said to be silent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.answers.steps import StepBook, StepsError, load_steps
from bot.kb.query import KnowledgeBase
from bot.settings import PROJECT_ROOT

# Channels and bodies a step may send the user to: each must be written in the sentence the step cites.
CHANNELS = (
    "12315", "12345", "公证", "电子存证", "悬赏取证", "法信", "调解", "仲裁", "司法确认", "诉讼", "微法院", "法院",
    "维权援助中心", "维权援助机构", "维权援助", "保护中心", "投诉", "举报", "行政执法", "公证部门",
    "海关", "备案", "展会", "博览会", "海外", "纠纷应对指导", "预警", "保险", "质押", "融资", "奖励", "资助", "补贴",
    "评价报告", "无效", "异议", "恶意投诉", "恶意诉讼", "恶意注册", "鉴定", "技术调查官", "快速维权", "互助基金",
)  # fmt: skip
NUMBER = re.compile(r"\d+")


@pytest.fixture(scope="module")
def book() -> StepBook:
    return load_steps(PROJECT_ROOT / "data" / "steps")


def test_each_step_rests_on_a_sentence_of_its_own_regions_clause(book: StepBook, kb: KnowledgeBase) -> None:
    checked = 0
    for situation in book.situations.values():
        for slug, steps in situation.steps.items():
            for step in (s for s in steps if s.written):
                item = kb.by_ref(str(step.ref))
                assert item.document.slug == slug, (situation.id, slug, step.ref)
                assert str(step.sentence) in item.text, (situation.id, slug, step.kind)
                checked += 1
    assert checked >= 20


def test_a_step_names_nothing_its_sentence_does_not(book: StepBook, kb: KnowledgeBase) -> None:
    agencies = {a.name for item in kb.snapshot.items for a in item.agencies}
    for situation in book.situations.values():
        for slug, steps in situation.steps.items():
            for step in (s for s in steps if s.written):
                do, sentence = str(step.do), str(step.sentence)
                named = [w for w in (*CHANNELS, *agencies) if w in do]
                assert all(w in sentence for w in named), (situation.id, slug, step.kind, named)
                assert set(NUMBER.findall(do)) <= set(NUMBER.findall(sentence)), (situation.id, slug, step.kind)


def test_every_step_says_what_the_user_can_do(book: StepBook) -> None:
    assert book.verbs
    for situation in book.situations.values():
        for slug, steps in situation.steps.items():
            for step in (s for s in steps if s.written):
                assert book.names_an_action(str(step.do)), (situation.id, slug, step.kind, step.do)


def test_every_region_has_every_kind_of_step_in_order(book: StepBook, kb: KnowledgeBase) -> None:
    plans = {d.slug for d in kb.documents}
    for situation in book.situations.values():
        assert set(situation.steps) == plans, situation.id
        for slug, steps in situation.steps.items():
            assert tuple(s.kind for s in steps) == situation.kinds, (situation.id, slug)
            region = next(d.region for d in kb.documents if d.slug == slug)
            assert all(str(s.silent).startswith(region[:2]) for s in steps if s.silent), (situation.id, slug)


INDEX = "kinds: {evidence: 保全证据, report: 投诉举报}\norder: [x]\n"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            "name: x\nwhen: {needs: [n]}\nkinds: [evidence, report]\n"
            "regions: {guizhou: [{kind: report, silent: 无}, {kind: evidence, silent: 无}]}",
            "order",
        ),
        (
            "name: x\nwhen: {needs: [n]}\nkinds: [evidence]\nregions: {guizhou: [{kind: evidence, do: 取证}]}",
            "needs do, ref and sentence",
        ),
        ("name: x\nwhen: {needs: [n]}\nkinds: [evidence, court]\nregions: {}", "unknown kinds"),
        ("name: x\nwhen: {needs: [n], sides: [victim]}\nkinds: [evidence]\nregions: {}", "unknown sides"),
        ("name: x\nkinds: [evidence]\nregions: {}", "no needs"),
    ],
    ids=["out-of-order", "no-sentence", "unknown-kind", "unknown-side", "no-needs"],
)
def test_malformed_step_data_is_refused_with_its_place(tmp_path: Path, body: str, error: str) -> None:
    (tmp_path / "index.yml").write_text(INDEX, encoding="utf-8")
    (tmp_path / "x.yml").write_text(body, encoding="utf-8")
    with pytest.raises(StepsError, match=error):
        load_steps(tmp_path)


def test_a_situation_file_left_out_of_the_order_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index.yml").write_text(INDEX, encoding="utf-8")
    (tmp_path / "x.yml").write_text("name: x\nwhen: {needs: [n]}\nkinds: [evidence]\nregions: {}", "utf-8")
    (tmp_path / "y.yml").write_text("name: y\nwhen: {needs: [n]}\nkinds: [evidence]\nregions: {}", "utf-8")
    with pytest.raises(StepsError, match="not in the order"):
        load_steps(tmp_path)
