"""The jieba user dictionary: committed files are current, and they keep the domain's terms whole."""

from __future__ import annotations

import pytest

from bot.kb.dictionary import expected_files
from bot.settings import Settings
from bot.text import ChineseTokenizer


def test_generated_dictionary_files_are_up_to_date() -> None:
    for path, content in expected_files(Settings()).items():
        assert path.read_text(encoding="utf-8") == content, f"{path} is stale: run `make dict`"


def test_dictionary_lines_are_word_frequency_tag() -> None:
    for path in Settings().dict_dir.glob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            word, frequency, tag = line.split(" ")
            assert word and frequency.isdigit() and tag.isalpha(), (path, line)


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("我想买专利执行险", "专利执行险"),
        ("海外侵权责任险怎么买", "海外侵权责任险"),
        ("想申请地理标志保护", "地理标志"),
        ("植物新品种被侵权", "植物新品种"),
        ("找省市场监管局", "省市场监管局"),
        ("中国人民银行拉萨中心支行", "中国人民银行拉萨中心支行"),
        ("保德县纠纷", "保德县"),
        ("西双版纳的茶", "西双版纳"),
        ("县市场监督管理局", "县市场监督管理局"),
    ],
)
def test_terms_stay_whole(text: str, whole: str) -> None:
    assert whole in ChineseTokenizer(Settings().dict_dir).cut(text)
