"""What a question asks, read from its words before any plan is searched.

The plans are implementation plans: they say which agency builds which channel (维权援助, 投诉举报, 调解 …) and by
when. They never decide a case. So the first question is whether the asker wants something the plans cannot give —
a legal judgment (算不算侵权), a sentence, a fine, a fee, a tax, a contract, a registration procedure, a platform's
own rules, another field of law — and the second whether the asker is the accused party. Both are read from
patterns of everyday phrasing; ``tests/answers/test_questions.py`` holds examples of each, written for this project.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.kb.topics import Topic, topics_asked
from bot.text import normalize

# Each limit category: the patterns that say "the asker wants this", most specific first.
LIMIT_PATTERNS: dict[str, tuple[str, ...]] = {
    "sentencing": (
        r"判刑|判几年|判多久|量刑|坐牢|刑期|缓刑|拘役|判缓|取保候审|定罪|罪名|会被抓|(会|能|可以)立案|立案(吗|标准|啥)",
    ),
    "penalty": (
        r"罚款|罚金|罚多少|怎么罚|(怎么|如何|怎样|会被|会)(处罚|惩罚)|会被(怎么)?处理|处罚(标准|多少|力度|金额|依据)",
        r"赔(偿)?多少|赔偿(标准|金额)|判赔多少|索赔多少|扣(几|多少)分|扣分",
    ),
    "platform_rule": (
        r"(淘宝|天猫|阿里|拼多多|京东|闲鱼|抖音|快手|速卖通|亚马逊|wish|ebay|shopee|lazada|1688|小红书|微店|平台|店铺|网店)"
        r".{0,16}(规则|扣分|扣几分|封店|封号|判定|违规|保证金|降权|下架)",
        r"(规则|扣分|封店|封号)是什么",
    ),
    "judgment": (
        r"刑事责任|(构成|算|属于).{0,6}罪",
        r"算不算|算是.{0,10}(吗|么)|算.{0,8}(侵权|违法|违规|诈骗|侵犯|犯罪|假冒|抄袭|盗版)",
        r"(是不是|是否|会不会|构不构成|能不能算)(构成|属于|涉及|算)?.{0,10}(侵权|违法|违规|犯罪|合法|有效|侵犯|诈骗|知识产权问题)",
        r"(侵权|违法|违规|合法|犯罪|有效|侵犯|正常)(的|行为)?(吗|么|嘛|不|没)",
        r"这样(可以|行|正常|合法|有问题|有效|可行)|可以吗|行不行|有(没有)?(问题|麻烦|风险)吗|会(有)?(麻烦|风险|后果)",
        r"(如何|怎么|怎样)(认定|判定|界定|判断|鉴别|辨别|区分)|认定标准|判定标准",
        r"(要|需要|必须|得)(与|和|跟)[^，。？?]{0,14}一致|(可以|能|能否|可否)在[^，。？?]{0,12}(加|用|使用|印|标注|写)",
        r"(需要|要|必须|得).{0,14}(授权|许可|同意)(吗|么|嘛|\?|？)",
        r"是否(可以|能)(追溯|使用|用|做|注册)|能否(使用|用)|能不能(用|使用|做)",
    ),
    "fee": (r"(怎么|如何|怎样|多少|哪些)收费|收费(标准|多少|吗)|费用(是)?多少|多少钱|几块钱|规费|年费|官费|价格",),
    "tax": (r"印花税|增值税|所得税|缴税|纳税|交税|税率|无形资产|入账|会计|记账|摊销|发票|产成品|财务处理",),
    "contract": (r"合同|协议|委托书|授权书|担保责任|违约|(怎么|如何)写|范本|模板",),
    "procedure": (
        r"(怎么|如何|怎样|能否|可否|能不能|可不可以|可以)(在国内)?(申请|注册|办理|续展|转让|变更|撤销|查询|查)(专利|商标|著作权|版权|软著)",
        r"(专利|商标).{0,4}(到期|续展|复审|复核|驳回|无效宣告|异议|年费|申请流程|申请材料|申请条件|怎么申请|如何申请)",
        r"(申请|注册)(国际|外国|国外)?(专利|商标).{0,6}(流程|材料|条件|时间|多久|要求)",
        r"到期|续展|驳回|复核|复审|国际专利|PCT|马德里|受理中|(怎么|如何)查|备案的规定|许可(给)?他人|想注册|注册一个商标",
    ),
    "law": (r"效力|法律依据|哪条法律|法条|司法解释|(有|具有|享有)哪些权利|权利有哪些|的规定是什么|怎么规定的|法律上",),
    "other_law": (
        r"离婚|婚姻|继承权|遗产继承|继承遗产|劳动(合同|仲裁|纠纷)?|工资|社保|辞职|辞退|离职|竞业|保密协议|房租|租房|交通事故|欠款|借款|债务",
        r"退货|退款|消费者|买到|质量问题|网站备案|ICP",
    ),
}

# Acts a person describes doing themselves; with no question about a measure they ask "is this allowed?".
OWN_ACT = re.compile(
    r"(我|我们|本人|公司)[^，。？?]{0,10}(引用|借用|模仿|仿照|贴牌|翻译|下载了|修改了?|加了?个字)"
    r"|转载|翻唱|填词|改编|二创|搬运|分装|(更改|更换|改换|重新)(包装|商标|标识|logo)|购买[^。？?]{0,10}后[^？?]{0,24}(出售|销售|卖)"
)
# The asker is the accused party.
ACCUSED = re.compile(
    r"(被|遭)[^，。？?]{0,12}(告|起诉|投诉|控告|指控|索赔|律师函|查处|处罚|扣押|查封|罚款|立案)"
    r"|说我(们)?[^，。？?]{0,6}(侵权|抄袭|盗用|假冒|违法)|告我|起诉我|投诉我|收到.{0,8}(律师函|起诉|传票|警告函|通知)"
    r"|(以|用)[^，。？?]{0,8}(起诉|投诉)|取保候审|罪.{0,10}(判|刑)"
)
# The asker's own rights were infringed.
VICTIM = re.compile(
    r"被(人|别人|他人|对方|一些|一家|某|网站|平台|卖家|公司)?[^，。？?]{0,10}(抄袭|剽窃|盗用|盗版|仿冒|假冒|冒用|侵权|侵犯|抢注|山寨|复制|搬运|盗图|模仿)"
    r"|(我|我们|我的|我家|自己)[^，。？?]{0,12}(被|遭)[^，。？?]{0,6}(抄袭|剽窃|盗用|仿冒|假冒|侵犯|侵权)"
    r"|(卖|出售|贩售|售卖|盗用|仿冒|侵犯)(我|我们)(的)?|盗用[^，。？?]{0,8}(作品|代码|图片|商标)|卖假货|假货|盗版"
)
# What plan measures the asker wants: these keep a question an answer even when a limit word occurs nearby.
MEASURES = re.compile(
    r"维权援助|援助|举报|投诉|奖励|资助|补贴|保险|质押|贷款|融资|调解|仲裁|保护中心|快速维权|快速审查|预审|鉴定|查处|找谁|谁来|谁管|谁监管|谁负责|哪个部门|哪里"
)
# Strong limit categories win even against a measure word ("举报假货罚款多少" asks an amount).
STRONG = ("sentencing", "penalty", "fee", "tax")
# A request for help with infringement that does not say who infringed whom, or what right.
HOW_TO = re.compile(r"怎么办|如何解决|怎么解决|怎么处理|如何处理|怎么维权|如何维权|该怎么|咋办|处理方法")
INFRINGEMENT = re.compile(r"侵权|被侵犯|侵犯")
DIRECTION = re.compile(r"被|别人|他人|对方|有人|我的|我们的|自己的|告我|说我")


# Words of the field. A message with none of them (and no topic word of the registry) is not about IP at all.
IP_WORDS = re.compile(
    r"知识产权|商标|专利|版权|著作权|侵权|侵犯|假冒|假货|盗版|抄袭|剽窃|仿冒|山寨|高仿|品牌|维权|logo|LOGO|标识|"
    r"地理标志|商业秘密|品种|作品|软件|源代码|外观|发明|非遗|老字号|展会|海关|打假|举报|投诉|方案|牵头"
)


def about_ip(text: str, topics: Iterable[Topic]) -> bool:
    return bool(IP_WORDS.search(text)) or bool(topics_asked(text, topics))


@dataclass(frozen=True)
class QuestionReading:
    """What was read from a question's words (no plan searched yet)."""

    text: str
    limit: str | None  # a LIMIT_PATTERNS category, or None when the plans may answer
    accused: bool
    victim: bool
    vague: bool  # a request for help with no direction or right named

    @property
    def wants_measure(self) -> bool:
        return _wants_measure(self.text)


def read_question(text: str) -> QuestionReading:
    clean = normalize(text)
    accused = bool(ACCUSED.search(clean)) and not _victim_only(clean)
    victim = bool(VICTIM.search(clean)) and not accused
    limit = _limit_category(clean, accused)
    vague = (
        limit is None
        and bool(HOW_TO.search(clean) or clean.endswith(("侵权投诉", "侵权了")))
        and bool(INFRINGEMENT.search(clean))
        and not DIRECTION.search(clean)
        and not _wants_measure(clean)
        and len(clean) <= 40
    )
    return QuestionReading(clean, limit, accused, victim, vague)


def _limit_category(text: str, accused: bool) -> str | None:
    measure = _wants_measure(text)
    for category, patterns in LIMIT_PATTERNS.items():
        if any(re.search(pattern, text, re.IGNORECASE) for pattern in patterns):
            if measure and category not in STRONG:
                continue
            return category
    if OWN_ACT.search(text) and not measure and not VICTIM.search(text):
        return "judgment"
    return None


def _wants_measure(text: str) -> bool:
    """A measure the asker wants; being complained about (被投诉) is not asking for 投诉."""
    return bool(MEASURES.search(re.sub(r"被[^，。？?]{0,4}(投诉|举报)", "", text)))


def _victim_only(text: str) -> bool:
    """被人抄袭 is a victim's words even though 被 … 投诉 patterns could read it as accused."""
    return bool(VICTIM.search(text)) and not re.search(r"被[^，。？?]{0,12}(告|起诉|投诉|控告|指控|索赔)", text)
