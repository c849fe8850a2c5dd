"""What the chat channels (公众号, 企业微信, 钉钉, 飞书) say of their own — not the assistant's answers, which come from
Rasa — in one place, so one fact never reads two ways across channels."""

from __future__ import annotations

CONTINUE_WORDS = frozenset({"继续", "继续。", "更多", "下一页"})
TEXT_ONLY = "您好，我目前只能阅读文字消息。请用文字描述您遇到的知识产权问题，例如：“商标被人抢注了怎么办”。"
NOTHING_MORE = "没有更多内容了。请继续提问。"
UNAVAILABLE = "抱歉，助手暂时无法回答，请稍后再试。"
STILL_WORKING = "正在为您查询，请稍后回复“继续”获取答案。"
TOO_FAST = "您发送消息太频繁了，请稍等一分钟再发。"
MORE = "\n（内容较长，回复“继续”查看剩余部分）"
CHOOSE = "回复数字选择："
SOURCES = "依据："
