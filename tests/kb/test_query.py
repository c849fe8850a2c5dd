"""The query layer: facts by topic, agency and region, direct look-ups, and bad input."""

from __future__ import annotations

import contextlib

import pytest

from bot.kb.errors import EmptyQuery, NotFound, QueryError, QueryTooLong, RegionNotCovered, UnknownRegion
from bot.kb.query import KnowledgeBase


def test_topic_for_guizhou_overseas_is_clause_17_with_its_agencies(kb: KnowledgeBase) -> None:
    best = kb.by_topic("overseas_assistance", "贵州")[0]
    assert best.item.ref == "guizhou/17"
    assert [a.name for a in best.item.leads] == ["省商务厅"]
    assert [a.name for a in best.item.responsible] == ["贵州银保监局", "省市场监管局"]
    assert any("海外维权" in sentence for sentence in best.quote)


def test_topic_for_yunnan_overseas_names_no_agency(kb: KnowledgeBase) -> None:
    hits = kb.by_topic("overseas_assistance", "云南")
    assert hits[0].item.ref == "yunnan/14"
    assert hits[0].item.agencies == ()


def test_topic_for_xizang_rewards_quotes_the_500k_award(kb: KnowledgeBase) -> None:
    hits = kb.by_topic("rewards_funding", "西藏")
    award = next(h for h in hits if h.item.ref == "xizang/17")
    assert any("50万元" in sentence for sentence in award.quote)


def test_topic_for_baode_mediation_has_justice_bureau_and_deadline(kb: KnowledgeBase) -> None:
    best = kb.by_topic("mediation_arbitration", "保德县")[0]
    assert best.item.ref == "baode/7"
    assert best.item.deadline == "2022年"
    assert best.item.agencies[0].name == "县司法局"


def test_shanxi_resolves_to_the_baode_county_plan(kb: KnowledgeBase) -> None:
    for mention in ("山西", "晋", "忻州", "保德", "山西省忻州市保德县"):
        scope = kb.scope(mention)
        assert [d.slug for d in scope.documents] == ["baode"], mention
        assert scope.documents[0].level == "county"


def test_topic_with_no_clause_in_a_region_is_empty_not_invented(kb: KnowledgeBase) -> None:
    assert kb.by_topic("international_cooperation", "西藏") == []
    assert kb.by_topic("traditional_knowledge", "贵州") == []


def test_topic_across_all_regions_gives_the_best_clause_of_each_plan_first(kb: KnowledgeBase) -> None:
    hits = kb.by_topic("overseas_assistance")
    first_five = {h.item.document.slug for h in hits[:5]}
    assert first_five == {"guizhou", "yunnan", "baode", "xizang", "guangxi"}


def test_agency_commerce_department_across_regions(kb: KnowledgeBase) -> None:
    report = kb.by_agency("省商务厅")
    led = [d.clause.ref for d in report.exact if d.agency.role == "lead"]
    assert led == ["guizhou/15", "guizhou/17", "guizhou/18"]
    assert [d.clause.ref for d in report.exact if d.agency.role == "responsible"] == ["guizhou/16"]
    assert [(d.agency.name, d.clause.ref) for d in report.related] == [("自治区商务厅", "xizang/15")]


def test_agency_kind_groups_market_regulators_of_every_level(kb: KnowledgeBase) -> None:
    report = kb.by_agency("市场监管局")
    names = {d.agency.name for d in report.related}
    assert {"省市场监管局", "自治区市场监管局", "县市场监督管理局"} <= names
    regional = kb.by_agency("贵州的市场监管局")
    assert {d.clause.document.slug for d in regional.related} == {"guizhou"}


def test_agency_pboc_lhasa_leads_xizang_clause_7(kb: KnowledgeBase) -> None:
    report = kb.by_agency("中国人民银行拉萨中心支行")
    assert [(d.clause.ref, d.agency.role) for d in report.exact] == [("xizang/7", "lead"), ("xizang/10", "responsible")]


def test_clause_and_task_lookup(kb: KnowledgeBase) -> None:
    assert kb.clause("贵州", "17").title == "加强海外知识产权维权援助服务"
    assert kb.clause("黔", "十七").ref == "guizhou/17"
    assert kb.clause("西藏", "第7条").leads[0].name == "中国人民银行拉萨中心支行"
    assert kb.task("云南", "57").deadline == "2021年12月底前完成"
    assert kb.by_ref("yunnan/task-57").deadline == "2021年12月底前完成"


def test_free_text_search_detects_the_region_in_the_question(kb: KnowledgeBase) -> None:
    hits = kb.search("西藏驰名商标有奖励吗")
    assert hits[0].item.ref == "xizang/17"
    assert {h.item.document.slug for h in hits} == {"xizang"}


def test_free_text_search_quotes_a_sentence_of_the_clause(kb: KnowledgeBase) -> None:
    hit = kb.search("云南有没有专利执行险", limit=1)[0]
    assert hit.item.ref in ("yunnan/14", "yunnan/task-60")
    assert hit.quote and all(sentence in hit.item.text for sentence in hit.quote)
    assert "保险" in "".join(hit.quote)


def test_free_text_search_ranks_with_the_answers_sentence_index(kb: KnowledgeBase) -> None:
    """The CLI's search quotes the sentences the answers rank (one index, one cut of words): 专利执行险 is a subject
    of the registry, so the clause naming it comes first, and what it quotes is a sentence of that index."""
    sentences = {row.text for row in kb.sentences.rows}
    hits = kb.search("专利执行险怎么买")
    assert hits[0].item.ref in {"yunnan/14", "baode/13", "guangxi/14"}
    assert all(set(h.quote) <= sentences and any("专利执行险" in q for q in h.quote) for h in hits[:3])


def test_free_text_search_finds_the_clauses_a_named_unit_is_assigned(kb: KnowledgeBase) -> None:
    """Units are assigned after a clause's sentences, so the sentence ranking alone cannot see them: 人行…支行 is
    中国人民银行拉萨中心支行, lead of 西藏's clause 7 and responsible in its clause 10."""
    refs = [h.item.ref for h in kb.search("人行拉萨中心支行负责什么", limit=2)]
    assert set(refs) == {"xizang/7", "xizang/10"}


@pytest.mark.parametrize("region", ["浙江", "杭州", "北京", "粤", "香港"])
def test_uncovered_region_names_the_covered_ones(kb: KnowledgeBase, region: str) -> None:
    with pytest.raises(RegionNotCovered) as error:
        kb.by_topic("overseas_assistance", region)
    assert "暂未收录" in error.value.message
    for covered in ("贵州省", "云南省", "山西省忻州市保德县", "西藏自治区", "广西壮族自治区"):
        assert covered in error.value.message


def test_uncovered_region_in_free_text(kb: KnowledgeBase) -> None:
    with pytest.raises(RegionNotCovered) as error:
        kb.search("浙江的假货怎么举报")
    assert error.value.region == "浙江省"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda kb: kb.search(""), EmptyQuery),
        (lambda kb: kb.search("   \n\t "), EmptyQuery),
        (lambda kb: kb.search("假" * 10_000), QueryTooLong),
        (lambda kb: kb.scope("火星"), UnknownRegion),
        (lambda kb: kb.clause("贵州", "99"), NotFound),
        (lambda kb: kb.clause("贵州", "abc"), NotFound),
        (lambda kb: kb.task("贵州", "1"), NotFound),
        (lambda kb: kb.task("云南", "95"), NotFound),
        (lambda kb: kb.by_topic("weather", "贵州"), NotFound),
        (lambda kb: kb.by_agency(""), EmptyQuery),
        (lambda kb: kb.by_agency("宇宙管理局"), NotFound),
        (lambda kb: kb.by_ref("guizhou/999"), NotFound),
    ],
)
def test_bad_input_raises_a_query_error_with_a_chinese_message(kb: KnowledgeBase, call, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as raised:
        call(kb)
    assert isinstance(raised.value, QueryError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.message)
    assert len(raised.value.message) < 400


@pytest.mark.parametrize(
    "question",
    [
        "'; DROP TABLE kb_clauses; --",
        "1 OR 1=1",
        "<script>alert(1)</script>",
        "\x00\x01\x02",
        "😀🔥",
        "%_%",
        "SELECT * FROM kb_documents",
    ],
)
def test_hostile_text_is_just_text(kb: KnowledgeBase, question: str) -> None:
    with contextlib.suppress(QueryError):
        kb.search(question)
    assert kb.clause("贵州", "17").ref == "guizhou/17"  # nothing stored was touched
