"""The parser on the five real plans (counts, facts, noise) and on small fixtures (each numbering style)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from bot.kb.manifest import load_manifest
from bot.kb.numbering import chinese_to_int, match_numbered
from bot.kb.parse import parse_plan
from bot.kb.records import AgencyRole, ParsedPlan
from bot.settings import Settings

SETTINGS = Settings()


@cache
def plan(slug: str) -> ParsedPlan:
    entry = next(e for e in load_manifest(SETTINGS.seeds_dir) if e.id == slug)
    return parse_plan((SETTINGS.seeds_dir / entry.file).read_text(encoding="utf-8"))


def clause(slug: str, ordinal: int):  # type: ignore[no-untyped-def]
    return next(c for c in plan(slug).clauses if c.ordinal == ordinal)


@pytest.mark.parametrize(
    ("slug", "clauses", "tasks"),
    [("guizhou", 23, 0), ("yunnan", 21, 94), ("baode", 23, 0), ("xizang", 20, 0), ("guangxi", 22, 0)],
)
def test_clause_and_task_counts(slug: str, clauses: int, tasks: int) -> None:
    parsed = plan(slug)
    assert [c.ordinal for c in parsed.clauses] == list(range(1, clauses + 1))
    assert [t.number for t in parsed.tasks] == list(range(1, tasks + 1))


NOISE = re.compile(
    r"bookmark|_GoBack|您的位置|【字体|来源[:：]|主办单位|运行维护|ICP备|公网安备|政府网站标识码|便民热线|12345"
    r"|微信 微博|网站地图|网站支持|无障碍|云南日报|抄送|共印|\d{4}年\d+月\d+日印发"
)


@pytest.mark.parametrize("slug", ["guizhou", "yunnan", "baode", "xizang", "guangxi"])
def test_no_page_bookmark_or_distribution_noise_in_any_text(slug: str) -> None:
    parsed = plan(slug)
    texts = [c.text for c in parsed.clauses] + [t.text for t in parsed.tasks] + [t.deadline or "" for t in parsed.tasks]
    noisy = [t for t in texts if NOISE.search(t)]
    assert noisy == []
    assert all(text.strip() == text and "\u3000" not in text for text in texts)


def test_guizhou_clause_17_overseas_assistance_led_by_commerce() -> None:
    c17 = clause("guizhou", 17)
    assert c17.number == "（十七）"
    assert c17.title == "加强海外知识产权维权援助服务"
    assert c17.agencies == (
        AgencyRole("省商务厅", "lead"),
        AgencyRole("贵州银保监局", "responsible"),
        AgencyRole("省市场监管局", "responsible"),
    )
    assert c17.body.endswith("鼓励保险机构开展知识产权涉外保险业务。")


def test_guizhou_numbering_quirks_first_clause_and_second_section() -> None:
    parsed = plan("guizhou")
    assert parsed.clauses[0].number == "（1）" and parsed.clauses[0].title == "严格知识产权司法保护"
    assert [s.number for s in parsed.sections] == ["一、", "2、", "三、", "四、", "五、", "六、"]
    assert clause("guizhou", 4).agencies == (AgencyRole("省法院", "responsible"),)  # "（省法院负责）"
    # "省人大办公厅牵头、省政协…": a lead separated by 、 instead of ，
    assert clause("guizhou", 9).agencies[:2] == (
        AgencyRole("省人大办公厅", "lead"),
        AgencyRole("省政协教科卫体委", "responsible"),
    )


def test_xizang_clause_7_led_by_pboc_lhasa() -> None:
    c7 = clause("xizang", 7)
    assert c7.title == "推动知识产权金融服务"
    assert [(a.name, a.role) for a in c7.agencies] == [
        ("中国人民银行拉萨中心支行", "lead"),
        ("中国银行保险监督管理委员会西藏监管局", "responsible"),
        ("自治区发展改革委", "responsible"),
        ("自治区市场监管局", "responsible"),
    ]


def test_xizang_section_heading_in_clause_style_is_not_a_clause() -> None:
    parsed = plan("xizang")
    assert parsed.sections[0].number == "1." and parsed.sections[0].title == "总体要求和主要目标"
    assert parsed.clauses[0].title == "总体要求" and parsed.clauses[0].section == parsed.sections[0].ordinal
    assert clause("xizang", 17).agencies[:2] == (AgencyRole("自治区财政厅", "lead"), AgencyRole("自治区经信厅", "lead"))
    assert "50万元" in clause("xizang", 17).body
    assert clause("xizang", 12).agencies[-1] == AgencyRole("拉萨海关", "responsible")  # "…负责配合）"


def test_baode_clause_7_deadline_and_justice_bureau() -> None:
    c7 = clause("baode", 7)
    assert c7.deadline == "2022年"
    names = [a.name for a in c7.agencies]
    assert "县司法局" in names and names[0] == "县司法局"
    assert names[-1] == "各乡（镇）政府"  # nested brackets inside the assignment survive
    assert all(a.role == "responsible" for a in c7.agencies)


def test_baode_deadline_variants_and_unit_forms() -> None:
    assert clause("baode", 1).deadline == "2020年"
    assert [a.name for a in clause("baode", 1).agencies][-1] == "县法院"  # "县法院等"
    assert clause("baode", 12).deadline == "长期坚持"  # "完成时报：长期坚持"
    assert clause("baode", 19).deadline == "长期坚持"  # "完成时间：长期坚持"
    assert clause("baode", 6).deadline == "2022年"  # "责任单位；"
    assert [a.name for a in clause("baode", 18).agencies][-1] == "各乡（镇）党委、政府"
    assert clause("baode", 10).deadline == "2025年"


def test_baode_leadership_group() -> None:
    parsed = plan("baode")
    assert parsed.doc_number == "保政办发〔2020〕143号"
    assert parsed.leadership_group == "保德县知识产权发展和保护领导组"
    leader = parsed.leadership[0]
    assert (leader.role, leader.name, leader.post) == ("组长", "白侯平", "县政府副县长")
    deputies = [m.name for m in parsed.leadership if m.role == "副组长"]
    assert deputies == ["刘颖洁", "陈广荣"]
    members = {m.name: m.post for m in parsed.leadership if m.role == "成员"}
    assert members["冯云"] == "县委宣传部常务副部长"  # "冯  云": spaced-out name joined
    assert members["白建平"] == "县司法局局长"
    assert parsed.leadership[-1].name is None and parsed.leadership[-1].post == "各乡（镇）政府"
    assert len(parsed.leadership) == 24
    assert parsed.leadership_office is not None and parsed.leadership_office.startswith("领导组办公室设在县市场局")


def test_yunnan_tasks_and_deadlines_as_written() -> None:
    tasks = {t.number: t for t in plan("yunnan").tasks}
    assert tasks[57].deadline == "2021年12月底前完成"
    assert tasks[57].text.startswith("建立中国(云南)知识产权维权援助中心")
    assert tasks[1].deadline == "上位法出台后及时启动修订工作"
    assert tasks[10].deadline == "持续推进"
    assert tasks[17].deadline == "2021年12月底前完成并持续推进"
    assert tasks[83].deadline == "持续推进" and tasks[83].text.endswith("示范基地(园区)。")
    assert tasks[94].text.endswith("给予表彰奖励。")
    assert plan("yunnan").annex_title == "云南省2020-2021年强化知识产权保护重点工作推进计划"


@pytest.mark.parametrize("slug", ["yunnan", "guangxi"])
def test_plans_that_name_no_agency_record_none(slug: str) -> None:
    assert all(c.agencies == () and c.assignment is None for c in plan(slug).clauses)


def test_yunnan_sub_sections_nest_under_key_work() -> None:
    sections = plan("yunnan").sections
    key_work = next(s for s in sections if s.title == "重点工作")
    nested = [s for s in sections if s.parent == key_work.ordinal]
    assert [s.number for s in nested] == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    assert clause("yunnan", 14).section == nested[3].ordinal


# -- small fixtures: every numbering style and noise form ----------------------------------------------------

FIXTURE = """[bookmark: _GoBack]某某县强化知识产权保护方案
一、总体要求
为了保护知识产权，制定本方案。
(一)第一部分
1.第一条标题。第一条正文。（县市场监管局牵头，县法院、县公安局按职责分工负责）
2、 第二部分
（2） 第二条标题。第二条
跨行正文。（完成时限：2021年。责任单位：县司法局、各乡（镇） 党委、政府）
三、第三部分
（三）第三条标题。没有单位。
抄送：县委办公室。
共印50份
"""


def test_fixture_numbering_styles_headings_and_noise() -> None:
    parsed = parse_plan(FIXTURE)
    assert [(s.number, s.title, s.parent) for s in parsed.sections] == [
        ("一、", "总体要求", None),
        ("(一)", "第一部分", 1),
        ("2、", "第二部分", None),
        ("三、", "第三部分", None),
    ]
    assert [(c.ordinal, c.title) for c in parsed.clauses] == [(1, "第一条标题"), (2, "第二条标题"), (3, "第三条标题")]
    assert parsed.clauses[1].text.startswith("第二条标题。第二条跨行正文。")
    assert parsed.clauses[1].deadline == "2021年"
    assert [a.name for a in parsed.clauses[1].agencies] == ["县司法局", "各乡（镇）党委、政府"]
    assert parsed.clauses[2].text == "第三条标题。没有单位。"  # the distribution lines are not appended


@pytest.mark.parametrize(
    ("numeral", "value"), [("一", 1), ("十", 10), ("十七", 17), ("二十", 20), ("二十三", 23), ("9", 9)]
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value


@pytest.mark.parametrize(
    ("line", "style", "heading"),
    [
        ("（十七）加强海外。正文", "cn_paren", False),
        ("(一)完善制度建设,制定措施", "cn_paren", True),
        ("1. 总体要求和主要目标", "arabic_dot", True),
        ("17.加大投入，按照办法。", "arabic_dot", False),
        ("（1） 严格司法保护。发挥作用", "arabic_paren", False),
        ("2、 全面落实制度", "arabic_comma", True),
        ("一、总体要求", "cn_comma", True),
    ],
)
def test_numbering_styles(line: str, style: str, heading: bool) -> None:
    numbered = match_numbered(line)
    assert numbered is not None and numbered.style == style and numbered.looks_like_heading is heading


@pytest.mark.parametrize("line", ["2020年12月29日", "2020.5 万元", "为了保护知识产权", ""])
def test_lines_that_are_not_numbered(line: str) -> None:
    assert match_numbered(line) is None
