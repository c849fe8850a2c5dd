"""No phone number, e-mail, ID or card number, WeChat or QQ id reaches the inbox, whatever way it is written."""

from __future__ import annotations

import pytest

from bot.review.mask import (
    ACCOUNT,
    CARD,
    COMPANY,
    EMAIL,
    ID_NUMBER,
    NAME,
    NUMBER,
    PHONE,
    mask,
    mask_span,
    personal_data_left,
)

WRITTEN = [
    ("我的电话13812345678，请回电", PHONE),
    ("手机 138 1234 5678", PHONE),
    ("手机：138-1234-5678", PHONE),
    ("+86 13812345678", PHONE),
    ("８６１３８１２３４５６７８", PHONE),  # full-width
    ("电话１３８１２３４５６７８", PHONE),
    ("١٣٨١٢٣٤٥٦٧٨ 是我的号", PHONE),  # Arabic-Indic digits
    ("座机0871-65123456", NUMBER),
    ("打0851 8888 6666找我", NUMBER),
    ("电话一三八一二三四五六七八", NUMBER),
    ("身份证号53010219900101123X", ID_NUMBER),
    ("身份证 530102 19900101 1234", ID_NUMBER),
    ("卡号6222021234567890123", CARD),
    ("邮箱 zhang.san+ip@example.com.cn", EMAIL),
    ("邮箱zhang@qq.com", EMAIL),
    ("邮件 li_si ＠ 163 . com", EMAIL),
    ("加我微信：zhangsan_88", ACCOUNT),
    ("vx abc12345 私聊", ACCOUNT),
    ("QQ号 123456789", ACCOUNT),
]


@pytest.mark.parametrize(("text", "label"), WRITTEN)
def test_personal_data_is_replaced_by_its_label(text: str, label: str) -> None:
    masked = mask(text)
    assert label in masked, masked
    assert not personal_data_left(masked), masked
    digits = [ch for ch in masked if ch.isdigit()]
    assert len(digits) < 7, masked  # no run of the number is left anywhere


def test_what_a_question_needs_is_kept() -> None:
    """Years, clause numbers, sums under a million and the question itself stay as they were."""
    text = "2019年的方案第17条说的保险，赔了50万元，云南有吗？"
    assert mask(text) == "2019年的方案第17条说的保险,赔了50万元,云南有吗?"  # NFKC punctuation (bot.store.text)


def test_a_registered_company_name_is_masked_from_where_it_begins() -> None:
    masked = mask("我们被宁波市某某科技有限公司起诉了，又和北京甲乙丙有限责任公司谈过")
    assert masked == f"我们被{COMPANY}起诉了,又和{COMPANY}谈过"


def test_a_name_the_reviewer_marks_is_masked_everywhere() -> None:
    text = "张三说张三的商标被抢注了"
    assert mask_span(text, "张三", "name") == f"{NAME}说{NAME}的商标被抢注了"
    assert mask_span(text, "  ", "name") == text  # nothing marked, nothing changed
    with pytest.raises(KeyError):
        mask_span(text, "张三", "anything")


def test_invisible_and_bidi_characters_do_not_split_a_number() -> None:
    """A zero-width space or a right-to-left mark between digits must not let a phone number through."""
    assert mask("电话138\u200b1234\u200e5678") == f"电话{PHONE}"
