"""Through the public gateway process to Rasa, the actions and the knowledge base: the web chat API and WeChat's
real XML protocol (plain and safe mode), asserting the facts in the replies."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

from sqlalchemy import create_engine, text

from bot.gateway.wechat.crypto import WeChatCrypto
from bot.gateway.wechat.signature import sign
from tests.e2e.conftest import AES_KEY, APP_ID, WECHAT_REPLY_CHARS, WECHAT_TOKEN, Chat
from tests.gateway.wechat_support import encrypted_request, event_xml, reply_fields, signed_query, text_xml
from tests.support.http import fetch, post_json


def http(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    reply = fetch(url, body, headers, timeout=30)
    return reply.status, reply.body


def new_conversation(chat: Chat) -> str:
    """A conversation id issued by the gateway, as the page and the widget get one."""
    reply = fetch(f"{chat.gateway}/api/conversations", b"")
    assert reply.status == 201, reply
    return str(reply.json()["conversation"])


def web_chat(chat: Chat, sender: str, message: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    reply = post_json(f"{chat.gateway}/api/chat", {"sender": sender, "message": message})
    return reply.status, reply.json()


def wechat(chat: Chat, xml: str, query: dict[str, str] | None = None) -> dict[str, str]:
    """Post a message as WeChat does to an account in safe mode (the stack has an AES key, so plaintext is
    refused) and return the decrypted reply; with ``query`` given, post ``xml`` as is and return the envelope."""
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    if query is None:
        query, xml = encrypted_request(WECHAT_TOKEN, crypto, xml)
        envelope = _post_wechat(chat, xml, query)
        return reply_fields(crypto.decrypt(envelope["Encrypt"]))
    return _post_wechat(chat, xml, query)


def _post_wechat(chat: Chat, xml: str, query: dict[str, str]) -> dict[str, str]:
    params = urllib.parse.urlencode(query)
    status, body = http(f"{chat.gateway}/wechat?{params}", xml.encode("utf-8"), {"Content-Type": "text/xml"})
    assert status == 200, body
    return reply_fields(body)


def test_web_chat_through_the_gateway(chat: Chat) -> None:
    sender = new_conversation(chat)
    status, body = web_chat(chat, sender, "贵州企业海外维权找谁？")
    assert status == 200
    texts = "\n".join(m["text"] for m in body["messages"])
    assert "牵头单位：省商务厅" in texts and "第17条" in texts
    citations = [c for m in body["messages"] for c in (m.get("custom") or {}).get("citations", [])]
    assert citations[0]["ref"] == "guizhou/17"
    status, clause = http(f"{chat.gateway}/api/clauses/{citations[0]['ref']}")
    assert status == 200 and "鼓励保险机构开展知识产权涉外保险业务" in json.loads(clause)["text"]
    status, follow_up = web_chat(chat, sender, "那西藏呢？")
    assert status == 200 and "西藏自治区" in follow_up["messages"][0]["text"]


def test_wechat_text_message_through_the_whole_stack(chat: Chat) -> None:
    user = f"o{uuid.uuid4().hex[:20]}"
    reply = wechat(chat, text_xml("保德县纠纷调解找谁", "880001", user=user))
    assert reply["ToUserName"] == user and reply["FromUserName"] == "gh_account" and reply["MsgType"] == "text"
    assert "县司法局" in reply["Content"] and "2022年" in reply["Content"] and "第7条" in reply["Content"]
    rest = wechat(chat, text_xml("继续", "880002", user=user))["Content"]
    while "回复“继续”" in rest:
        rest = wechat(chat, text_xml("继续", str(uuid.uuid4().int % 10**12), user=user))["Content"]
    assert "回复数字选择：\n1. 查看原文" in rest  # buttons become numbered options, after the answer
    full = wechat(chat, text_xml("1", "880003", user=user))
    assert "第7条" in full["Content"] and "原文：健全社会共治多元化解决纠纷机制。" in full["Content"]


def test_wechat_retries_of_one_msg_id_reach_rasa_once(chat: Chat) -> None:
    user = f"o{uuid.uuid4().hex[:20]}"
    xml = text_xml("西藏驰名商标有奖励吗", "880101", user=user)
    replies = [wechat(chat, xml) for _ in range(3)]
    assert len({r["Content"] for r in replies}) == 1 and "50万元" in replies[0]["Content"]
    engine = create_engine(chat.tracker_url)
    with engine.connect() as connection:
        user_events = connection.execute(
            text("select count(*) from events where sender_id = :sender and type_name = 'user'"),
            {"sender": f"wechat-{user}"},
        ).scalar_one()
    engine.dispose()
    assert user_events == 1


def test_wechat_subscribe_gets_the_welcome(chat: Chat) -> None:
    reply = wechat(chat, event_xml("subscribe", user=f"o{uuid.uuid4().hex[:20]}", create_time="1700000123"))
    assert "知识产权维权助手" in reply["Content"] and "广西壮族自治区" in reply["Content"]
    assert "仅供参考，不构成法律意见" in reply["Content"]


def test_wechat_long_answer_continues(chat: Chat) -> None:
    user = f"o{uuid.uuid4().hex[:20]}"
    first = wechat(chat, text_xml("查看贵州第2条原文", "880201", user=user))
    assert "回复“继续”" in first["Content"] and len(first["Content"]) <= WECHAT_REPLY_CHARS + 30
    parts = [first["Content"]]
    for number in range(880202, 880210):
        reply = wechat(chat, text_xml("继续", str(number), user=user))["Content"]
        parts.append(reply)
        if "回复“继续”" not in reply:
            break
    joined = "".join(parts)
    assert "省市场监管局" in joined and "贵阳海关" in joined and "仅供参考，不构成法律意见" in joined
    assert wechat(chat, text_xml("继续", "880299", user=user))["Content"] == "没有更多内容了。请继续提问。"


def test_wechat_safe_mode_through_the_whole_stack(chat: Chat) -> None:
    crypto = WeChatCrypto(AES_KEY, APP_ID)
    user = f"o{uuid.uuid4().hex[:20]}"
    query, body = encrypted_request(WECHAT_TOKEN, crypto, text_xml("广西有专利执行险吗", "880301", user=user))
    envelope = wechat(chat, body, query)
    assert envelope["MsgSignature"] == sign(WECHAT_TOKEN, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    inner = reply_fields(crypto.decrypt(envelope["Encrypt"]))
    assert inner["ToUserName"] == user and "专利执行险" in inner["Content"] and "广西壮族自治区" in inner["Content"]


def test_gateway_refuses_bad_input_before_rasa(chat: Chat) -> None:
    status, body = http(f"{chat.gateway}/api/chat", b"{broken", {"Content-Type": "application/json"})
    assert status == 400 and "JSON" in json.loads(body)["error"]
    # A conversation id the gateway did not issue (a guessed or copied-and-altered one) never reaches Rasa.
    status, reply = web_chat(chat, uuid.uuid4().hex, "我上次问了什么")
    assert status == 400 and "会话编号无效" in reply["error"]
    status, body = http(
        f"{chat.gateway}/wechat?signature=bad&timestamp=1&nonce=2", b"<xml/>", {"Content-Type": "text/xml"}
    )
    assert status == 403
    # A plaintext message to an account with an AES key configured: refused (the plain signature does not cover
    # the body).
    params = urllib.parse.urlencode(signed_query(WECHAT_TOKEN))
    status, _ = http(
        f"{chat.gateway}/wechat?{params}", text_xml("你好", "880401").encode(), {"Content-Type": "text/xml"}
    )
    assert status == 403
