"""Conversational intents are kept only when meant: a long question that starts with "您好" is a question."""

from __future__ import annotations

from bot.answers.meant import capability_question, comparison_meant, feedback_meant, greeting_only, smalltalk_meant


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
