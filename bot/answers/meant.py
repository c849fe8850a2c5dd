"""Whether a conversational intent was meant: a long question that starts with "您好" is a question, and "不知道"
inside a question is not negative feedback. The NLU's intent is kept only when the message is about that; a payload
the product sends itself ("/greet" from WeChat's welcome, a button's "/feedback_bad") always is."""

from __future__ import annotations

import re

from bot.text import normalize

# Words of the field: a short message holding one is a question, not small talk ("专利权人具有哪些权利" is not "你能做
# 什么"). A fixed vocabulary, like the region names — what the question wants is the model's to read.
IP_WORDS = re.compile(
    r"知识产权|商标|专利|版权|著作权|侵权|侵犯|假冒|假货|盗版|抄袭|剽窃|仿冒|山寨|高仿|品牌|维权|logo|LOGO|标识|"
    r"地理标志|商业秘密|品种|作品|软件|源代码|外观|发明|非遗|老字号|展会|海关|打假|举报|投诉|方案|牵头"
)

GREETING = re.compile(
    r"^(你好|您好|你们好|大家好|hi|hello|hey|嗨|哈喽|在吗|在不在|早上好|下午好|晚上好|老师好|请问)+", re.I
)
PUNCTUATION = re.compile(r"[\s,，.。!！?？~～、:：;；…]+")
QUESTION_WORDS = re.compile(r"怎么|如何|吗|哪|什么|谁|能否|可以")
FEEDBACK_MAX = 16  # "没用", "答非所问", "这个回答不对" — longer messages are questions or new information
CAPABILITY_MAX = 16
SMALLTALK_MAX = 12  # "谢谢", "好的", "你是机器人吗": longer messages carry a question
COMPARE = re.compile(r"对比|比较|比一比|区别|不同|差别|各地|哪些地区|哪个地区|哪个省")
DEADLINE_WORDS = re.compile(
    r"什么时候|何时|时限|期限|完成时间|截止|多久|哪年|完成|时间|要求|是|的|呢|吗|这个|这项|那|这些|它们|工作|任务|有没有|有"
)
SHOW = re.compile(r"原文|全文|条款|全部内容|完整|第\s*[\d一二三四五六七八九十]+\s*[条项]|看看|查看")
SHOW_MAX = 30


def _bare(text: str) -> str:
    return PUNCTUATION.sub("", normalize(text))


def payload(text: str) -> bool:
    """An intent payload ("/greet", "/what_can_you_do") that a button or a channel sends on the user's behalf."""
    return text.strip().startswith("/")


def greeting_only(text: str) -> bool:
    """A greeting ("您好！"), not a question that begins with one ("您好！千乐比萨…算侵权吗？")."""
    return payload(text) or len(GREETING.sub("", _bare(text))) <= 2


def feedback_meant(text: str, after_answer: bool) -> bool:
    """Feedback needs an answer before it and a short message that is not itself a question."""
    bare = _bare(text)
    if payload(text):
        return after_answer
    return after_answer and len(bare) <= FEEDBACK_MAX and not QUESTION_WORDS.search(bare)


def capability_question(text: str) -> bool:
    """Capabilities ("你能做什么", "覆盖哪些地区"), not a short question about a subject ("专利权人具有哪些权利")."""
    bare = _bare(text)
    return payload(text) or (len(GREETING.sub("", bare)) <= CAPABILITY_MAX and not IP_WORDS.search(bare))


def comparison_meant(text: str, regions_named: int) -> bool:
    return payload(text) or regions_named >= 2 or bool(COMPARE.search(text))


def deadline_of_what_was_cited(text: str) -> bool:
    """A deadline of the clause just cited ("什么时候完成？"), not a question with its own subject
    ("保德县信用体系建设的完成时限")."""
    return payload(text) or len(DEADLINE_WORDS.sub("", _bare(text))) <= 2


def smalltalk_meant(text: str) -> bool:
    """Small talk ("谢谢！", "你是机器人吗"), not a question that ends politely ("…要交印花税吗？谢谢！")."""
    bare = _bare(text)
    return payload(text) or (len(GREETING.sub("", bare)) <= SMALLTALK_MAX and not IP_WORDS.search(bare))


def service_meant(text: str) -> bool:
    """A question about this service ("人工客服电话多少"), not one about the field that asks for a number
    ("举报侵权假冒打哪个电话", which the plans answer)."""
    return payload(text) or not IP_WORDS.search(_bare(text))


def show_clause_meant(text: str) -> bool:
    return payload(text) or (bool(SHOW.search(text)) and len(_bare(text)) <= SHOW_MAX)
