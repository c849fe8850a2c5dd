"""What a question asks, read from its words: examples written for this project (not the evaluation set)."""

from __future__ import annotations

import pytest

from bot.answers.meant import capability_question, comparison_meant, feedback_meant, greeting_only, smalltalk_meant
from bot.answers.questions import read_question

LIMITS = [
    ("卖盗版光盘被抓了会判刑吗", "sentencing"),
    ("仿冒别人商标的案子到什么程度会立案", "sentencing"),
    ("商标侵权一般罚款多少", "penalty"),
    ("在京东卖了几双假鞋会被怎么处罚", "penalty"),
    ("闲鱼上卖仿品会不会被封号", "platform_rule"),
    ("抖音小店的侵权规则是什么", "platform_rule"),
    ("我把别人的照片发到公众号算不算侵权", "judgment"),
    ("用了一款免费字体做海报，这样合法吗", "judgment"),
    ("商标近似怎么判定", "judgment"),
    ("注册一个商标要多少钱", "fee"),
    ("专利许可费要交增值税吗", "tax"),
    ("商标转让合同怎么写", "contract"),
    ("发明专利怎么申请", "procedure"),
    ("商标到期了怎么续展", "procedure"),
    ("著作权法和民法典哪个效力更高", "law"),
    ("离职后公司不给结工资怎么办", "other_law"),
    ("我翻唱了一首老歌放在视频里", "judgment"),
]


@pytest.mark.parametrize(("question", "category"), LIMITS, ids=[q for q, _ in LIMITS])
def test_questions_the_plans_cannot_decide(question: str, category: str) -> None:
    assert read_question(question).limit == category


ANSWERABLE = [
    "举报卖假酒的有奖励吗",
    "我们的专利被侵犯了，能找哪个部门求助",
    "淘宝上有人卖我们的仿品，去哪投诉",
    "有没有知识产权保险",
    "商标可以质押贷款吗",
    "展会上发现侵权展品怎么办",
    "市场监管部门会查处侵权吗",
    "侵权纠纷可以调解吗",
]


@pytest.mark.parametrize("question", ANSWERABLE)
def test_questions_about_a_measure_are_not_limits(question: str) -> None:
    assert read_question(question).limit is None


def test_the_accused_party_and_the_victim_are_told_apart() -> None:
    accused = read_question("我们被竞争对手起诉侵犯专利了")
    victim = read_question("我们的设计被人抄袭了")
    assert accused.accused and not accused.victim
    assert victim.victim and not victim.accused
    assert read_question("被人剽窃了作品").victim


@pytest.mark.parametrize("question", ["侵权了怎么办", "遇到侵权怎么解决", "知识产权侵权了咋办"])
def test_vague_requests_for_help(question: str) -> None:
    assert read_question(question).vague


@pytest.mark.parametrize("question", ["我的商标被别人侵权了怎么办", "如何进行侵权投诉", "被告侵权了怎么办"])
def test_requests_that_say_who_or_what_are_not_vague(question: str) -> None:
    assert not read_question(question).vague


def test_conversational_intents_only_when_meant() -> None:
    assert greeting_only("您好！") and greeting_only("hi") and greeting_only("/greet")
    assert not greeting_only("您好，我们的商标被人抢注了怎么办")
    assert feedback_meant("没用", after_answer=True)
    assert not feedback_meant("没用", after_answer=False)
    assert not feedback_meant("我不知道这个商标能不能用怎么办", after_answer=True)
    assert smalltalk_meant("谢谢！") and smalltalk_meant("你是机器人吗")
    assert not smalltalk_meant("请问专利许可费要交增值税吗？谢谢")
    assert comparison_meant("贵州和云南有什么不同", 2) and not comparison_meant("贵州海外维权找谁", 1)
    assert capability_question("你能做什么") and not capability_question("请问能告诉我专利权人具有哪些权利呢")
