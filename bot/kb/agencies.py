"""Agency kinds: one normalised kind per agency so that 省市场监管局, 自治区市场监管局 and 县市场监督管理局 can be
asked about together. The name as the plan writes it is always kept; the kind is only an index.

Rules are tried in order; the first whose pattern occurs in the name wins (so 中国人民银行… is a financial
regulator, not a bank branch of something else, and 省委网信办 is cyberspace, not the party committee).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class AgencyKind:
    id: str
    label: str  # how a reply names the kind: 市场监管部门
    pattern: re.Pattern[str]


def _kind(kind_id: str, label: str, pattern: str) -> AgencyKind:
    return AgencyKind(kind_id, label, re.compile(pattern))


AGENCY_KINDS: tuple[AgencyKind, ...] = (
    _kind("financial_regulator", "人民银行/银保监部门", r"人民银行|人行|银保监|银行保险监督|金融监管"),
    _kind("court", "人民法院", r"法院"),
    _kind("procuratorate", "人民检察院", r"检察"),
    _kind("public_security", "公安机关", r"公安"),
    _kind("justice", "司法行政部门", r"司法"),
    _kind("market_regulation", "市场监管部门", r"市场监管|市场监督管理|市场局|知识产权局"),
    _kind("commerce", "商务部门", r"商务"),
    _kind("customs", "海关", r"海关"),
    _kind("copyright", "版权部门", r"版权"),
    _kind("agriculture", "农业农村部门", r"农业农村|农业"),
    _kind("culture_tourism", "文化和旅游部门", r"文化和旅游|文化和放游|文旅|文化厅|旅发厅|旅游"),
    _kind("forestry", "林业和草原部门", r"林业|林草"),
    _kind("drug_administration", "药品监管部门", r"药品监管"),
    _kind("tcm_administration", "中医药管理部门", r"中医药"),
    _kind("health", "卫生健康部门", r"卫健|卫生健康"),
    _kind("publicity", "党委宣传部门", r"宣传部"),
    _kind("cyberspace", "网信部门", r"网信"),
    _kind("development_reform", "发展改革部门", r"发展改革|发展和改革|发改"),
    _kind("finance_department", "财政部门", r"财政"),
    _kind("industry_it", "工业和信息化部门", r"工业和信息化|经济和信息化|经信|工信"),
    _kind("natural_resources", "自然资源部门", r"自然资源"),
    _kind("education", "教育部门", r"教育"),
    _kind("human_resources", "人力资源社会保障部门", r"人力资源|人社"),
    _kind("telecom", "通信管理部门", r"通信管理"),
    _kind("big_data", "大数据部门", r"大数据"),
    _kind("peoples_congress", "人大", r"人大"),
    _kind("cppcc", "政协", r"政协"),
    _kind("foreign_affairs", "外事部门", r"外事"),
    _kind("trade_promotion", "贸促会", r"贸易促进|贸促"),
    _kind("organization", "党委组织部门", r"组织部"),
    _kind("staffing", "机构编制部门", r"编办"),
    _kind("administrative_approval", "行政审批部门", r"行政审批"),
    _kind("ecology_environment", "生态环境部门", r"生态环境"),
    _kind("media_center", "融媒体中心", r"融媒体"),
    _kind("local_government", "各级党委、政府及有关部门", r"党委|政府|有关部门"),
)

OTHER_KIND = AgencyKind("other", "其他单位", re.compile(r"(?!)"))
KINDS_BY_ID: dict[str, AgencyKind] = {kind.id: kind for kind in (*AGENCY_KINDS, OTHER_KIND)}

# How people name a kind without naming an office: "市场监管部门", "知识产权局", "法院", "银行".
_QUERY_WORDS: tuple[tuple[str, str], ...] = (
    ("market_regulation", r"市监|工商|知识产权局"),
    ("court", r"法庭|法官"),
    ("public_security", r"警察|派出所|报警"),
    ("financial_regulator", r"银行|银保监|金融"),
    ("copyright", r"著作权"),
)


def kind_of(name: str) -> AgencyKind:
    """The kind of an agency name as written; ``other`` when no rule applies."""
    for kind in AGENCY_KINDS:
        if kind.pattern.search(name):
            return kind
    return OTHER_KIND


def kinds_mentioned(text: str) -> list[AgencyKind]:
    """Every kind a question mentions, in rule order, including everyday words (警察 → public security)."""
    found = [kind for kind in AGENCY_KINDS if kind.pattern.search(text) and kind.id != "local_government"]
    for kind_id, words in _QUERY_WORDS:
        if re.search(words, text) and KINDS_BY_ID[kind_id] not in found:
            found.append(KINDS_BY_ID[kind_id])
    return found
