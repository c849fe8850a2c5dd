"""What the asker wants done, as plan words: added to a question's terms so that the sentence about that channel
ranks first ("怎么举报" → 投诉举报, "能贷款吗" → 质押融资, "找证据" → 鉴定). What is wanted decides which sentence answers;
what the question is about decides which clause. ``bench/retrieval.py`` measures these weights with the answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.answers.questions import QuestionReading
from bot.kb.topics import Topic, topics_asked

# Words that say what the user wants done: added to the question's terms so the sentence about the channel ranks.
# They weigh more than a word the user typed: what is wanted decides which sentence answers, what it is about
# decides which clause. The victim's need applies to a victim who says no more than what happened ("被人剽窃").
REPORT_NEED = {"投诉举报": 1.5, "举报投诉": 1.5, "举报": 1.2, "投诉": 1.2}

HELP_NEED = {"维权援助中心": 1.5, "维权援助": 1.0, "投诉举报": 0.5}

IMPLIED_NEED = 1.0

# Topics a "how do I" question names without saying more than "my rights were infringed".
GENERIC_TOPICS = {"rights_assistance", "report_counterfeit", "copyright", "litigation", "administrative_enforcement"}

COPIED = re.compile(r"抄袭|剽窃|盗用|盗版|仿冒|假冒|山寨|高仿|假货|冒用|搬运|盗图|复制|模仿|卖假|售假")

ONLINE = re.compile(r"网站|平台|网上|网店|淘宝|天猫|拼多多|京东|闲鱼|抖音|快手|小红书|直播|电商|链接|B站|微信|公众号")

NEEDS = (
    (re.compile(r"举报|(?<!被)投诉|报案"), REPORT_NEED),
    (re.compile(r"怎么办|怎么处理|如何处理|怎么维权|如何维权|维护.{0,4}权益|该怎么|咋办"), HELP_NEED),
    (re.compile(r"奖励|奖金|有奖"), {"奖励": 1.5}),
    (re.compile(r"贷款|借钱|抵押|融资"), {"质押融资": 1.5, "质押": 1.5, "融资": 1.2}),
    (re.compile(r"证据|取证|逆向|证明"), {"鉴定": 1.4, "侵权鉴定": 1.4, "证据": 1.2, "取证": 0.9}),
    (re.compile(r"申诉|应对|反通知"), {"评价报告": 1.2, "恶意投诉": 1.2}),
    (re.compile(r"鉴别|辨别|识别|认定|判定|判断"), {"鉴定": 1.2, "判断标准": 1.0, "技术调查官": 0.8}),
)


def needs(reading: QuestionReading, topics: Iterable[Topic]) -> dict[str, float]:
    extra: dict[str, float] = {}
    if reading.victim and COPIED.search(reading.text):
        # Copies sold on a platform are taken down through complaints; elsewhere 维权援助 helps. (A trademark
        # squatted is not copied: "商标被人恶意抢注了" is answered by the plans' 恶意注册 clauses.)
        implied = REPORT_NEED if ONLINE.search(reading.text) else HELP_NEED
        extra.update({term: IMPLIED_NEED * weight for term, weight in implied.items()})
    specific = specific_topics(reading, topics)
    for pattern, terms in NEEDS:
        if terms is HELP_NEED and (reading.accused or specific):
            # An accused party's "该怎么" is not enforcing a right; "商标被人抢注了怎么办" asks about 抢注.
            continue
        if pattern.search(reading.text):
            for term, weight in terms.items():
                extra[term] = max(weight, extra.get(term, 0.0))
    return extra


def specific_topics(reading: QuestionReading, topics: Iterable[Topic]) -> list[str]:
    """Topics the question names beyond "my rights were infringed" (海外, 抢注, 展会 …)."""
    return [t for t, _ in topics_asked(reading.text, topics) if t not in GENERIC_TOPICS]
