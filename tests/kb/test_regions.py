"""The region gazetteer: mentions of provinces, short names, abbreviations and cities resolve to a division."""

from __future__ import annotations

from functools import cache

import pytest
import yaml

from bot.kb.regions import Gazetteer
from bot.settings import Settings


@cache
def gazetteer() -> Gazetteer:
    return Gazetteer.load(Settings().regions_file)


# (text, expected division, expected surface)
MENTIONS = [
    # covered: provinces, official names, abbreviations, cities, counties
    ("贵州企业海外维权找谁", "贵州省", "贵州"),
    ("贵州省的政策", "贵州省", "贵州省"),
    ("黔", "贵州省", "黔"),
    ("黔企出口", "贵州省", "黔"),
    ("贵阳有个展会", "贵州省", "贵阳"),
    ("遵义的酒厂", "贵州省", "遵义"),
    ("六盘水", "贵州省", "六盘水"),
    ("毕节市", "贵州省", "毕节市"),
    ("黔东南州的苗绣", "贵州省", "黔东南州"),
    ("云南", "云南省", "云南"),
    ("滇", "云南省", "滇"),
    ("那滇呢？", "云南省", "滇"),
    ("昆明的企业", "云南省", "昆明"),
    ("大理的扎染", "云南省", "大理"),
    ("普洱茶被仿冒", "云南省", "普洱"),
    ("西双版纳", "云南省", "西双版纳"),
    ("红河州", "云南省", "红河州"),
    ("丽江古城", "云南省", "丽江"),
    ("山西", "山西省", "山西"),
    ("晋", "山西省", "晋"),
    ("忻州市", "山西省", "忻州市"),
    ("保德县纠纷调解找谁", "山西省", "保德县"),
    ("保德", "山西省", "保德"),
    ("太原", "山西省", "太原"),
    ("大同", "山西省", "大同"),
    ("西藏", "西藏自治区", "西藏"),
    ("西藏自治区", "西藏自治区", "西藏自治区"),
    ("藏", "西藏自治区", "藏"),
    ("拉萨", "西藏自治区", "拉萨"),
    ("日喀则的青稞", "西藏自治区", "日喀则"),
    ("林芝", "西藏自治区", "林芝"),
    ("那曲", "西藏自治区", "那曲"),
    ("广西", "广西壮族自治区", "广西"),
    ("广西壮族自治区", "广西壮族自治区", "广西壮族自治区"),
    ("桂", "广西壮族自治区", "桂"),
    ("桂企", "广西壮族自治区", "桂"),
    ("南宁", "广西壮族自治区", "南宁"),
    ("桂林米粉", "广西壮族自治区", "桂林"),
    ("柳州螺蛳粉", "广西壮族自治区", "柳州"),
    ("北海", "广西壮族自治区", "北海"),
    ("防城港", "广西壮族自治区", "防城港"),
    # not covered: provinces, abbreviations, cities, municipalities, SARs
    ("浙江", "浙江省", "浙江"),
    ("杭州", "浙江省", "杭州"),
    ("义乌小商品", "浙江省", "义乌"),
    ("北京", "北京市", "北京"),
    ("上海", "上海市", "上海"),
    ("沪", "上海市", "沪"),
    ("广东", "广东省", "广东"),
    ("深圳", "广东省", "深圳"),
    ("广州", "广东省", "广州"),
    ("粤", "广东省", "粤"),
    ("四川", "四川省", "四川"),
    ("成都", "四川省", "成都"),
    ("川", "四川省", "川"),
    ("重庆", "重庆市", "重庆"),
    ("湖南", "湖南省", "湖南"),
    ("长沙", "湖南省", "长沙"),
    ("江苏", "江苏省", "江苏"),
    ("苏州", "江苏省", "苏州"),
    ("内蒙", "内蒙古自治区", "内蒙"),
    ("呼和浩特", "内蒙古自治区", "呼和浩特"),
    ("新疆", "新疆维吾尔自治区", "新疆"),
    ("宁夏", "宁夏回族自治区", "宁夏"),
    ("香港", "香港特别行政区", "香港"),
    ("澳门", "澳门特别行政区", "澳门"),
    ("台湾", "台湾省", "台湾"),
    ("海南", "海南省", "海南"),
    ("陕西", "陕西省", "陕西"),
    ("西安", "陕西省", "西安"),
    ("吉林", "吉林省", "吉林"),
    ("黑龙江", "黑龙江省", "黑龙江"),
    ("哈尔滨", "黑龙江省", "哈尔滨"),
    ("青岛", "山东省", "青岛"),
    ("武汉", "湖北省", "武汉"),
    ("厦门", "福建省", "厦门"),
]


def test_the_table_has_more_than_sixty_mentions() -> None:
    assert len(MENTIONS) >= 60


@pytest.mark.parametrize(("text", "division", "surface"), MENTIONS)
def test_mention_resolves(text: str, division: str, surface: str) -> None:
    mention = gazetteer().resolve(text)
    assert mention is not None, text
    assert (mention.division.name, mention.surface) == (division, surface)


@pytest.mark.parametrize(
    "text",
    [
        "藏医药怎么保护",
        "桂花糕商标被抢注",
        "我想晋升",
        "京东上有假货",
        "川菜馆被抄袭",
        "沪深股市",
        "贵公司",
        "今天天气怎么样",
        "",
    ],
)
def test_abbreviation_characters_inside_words_are_not_regions(text: str) -> None:
    assert gazetteer().resolve(text) is None


def test_several_regions_in_order() -> None:
    mentions = gazetteer().find_all("贵州和云南在海外维权上有什么不同，广西呢")
    assert [m.division.short for m in mentions] == ["贵州", "云南", "广西"]


def test_city_and_county_mentions_keep_the_locality() -> None:
    assert gazetteer().resolve("遵义的酒厂").locality == "遵义"
    assert gazetteer().resolve("保德县").locality == "保德县"
    assert gazetteer().resolve("贵州").locality is None


def test_all_34_provincial_level_divisions_with_distinct_names() -> None:
    raw = yaml.safe_load(Settings().regions_file.read_text(encoding="utf-8"))
    assert len(raw) == 34
    assert {item["level"] for item in raw} == {"province", "autonomous_region", "municipality", "sar"}
    surfaces = [s for item in raw for s in (item["name"], item["short"], *item["aliases"], *item["cities"])]
    assert len(surfaces) == len(set(surfaces)), "a name must belong to one division only"
