"""An operator's reply reaches the user on 公众号, 企业微信, 钉钉 and 飞书 through each platform's message API — here a
local server that answers as the platforms document and records every request, so that the exact requests are
asserted: the token exchange, the send, the user or group, the case number in the text; once, by one gateway."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.channel_settings import ChannelsConfig, DingTalkConfig, FeishuConfig, WeComConfig
from bot.gateway.delivery import ReplyDelivery, outbounds
from bot.gateway.staff_cases import delivery_line
from bot.kb.db import make_engine
from bot.settings import Settings
from bot.store.models import HandoffCase
from bot.store.records import claim_deliveries, delivery_failed, ensure_tables, open_case, update_case


@dataclass
class Platforms:
    """The four platforms' APIs on one local server; ``refuse`` makes a send path answer with an error."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    refuse: dict[str, Any] = field(default_factory=dict)
    stale_token_once: set[str] = field(default_factory=set)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        token = request.query.get("access_token") or request.headers.get("x-acs-dingtalk-access-token") or ""
        token = token or request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.requests.append({"method": request.method, "path": request.path, "query": dict(request.query),
                              "token": token, "body": body})  # fmt: skip
        path = request.path
        if path == "/cgi-bin/token":
            return web.json_response({"access_token": "wx-token-1", "expires_in": 7200})
        if path == "/cgi-bin/gettoken":
            count = sum(r["path"] == path for r in self.requests)
            return web.json_response({"errcode": 0, "access_token": f"wecom-token-{count}", "expires_in": 7200})
        if path == "/v1.0/oauth2/accessToken":
            return web.json_response({"accessToken": "ding-token-1", "expireIn": 7200})
        if path == "/open-apis/auth/v3/tenant_access_token/internal":
            return web.json_response({"code": 0, "tenant_access_token": "t-feishu-1", "expire": 7200})
        if path in self.stale_token_once:
            self.stale_token_once.discard(path)
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if path in self.refuse:
            status, data = self.refuse[path]
            return web.json_response(data, status=status)
        if path.startswith("/cgi-bin/"):
            return web.json_response({"errcode": 0, "errmsg": "ok"})
        if path.startswith("/v1.0/robot/"):
            return web.json_response({"processQueryKey": "q1"})
        return web.json_response({"code": 0, "data": {"message_id": "om_1"}})

    def sends(self) -> list[dict[str, Any]]:
        tokens = ("/cgi-bin/token", "/cgi-bin/gettoken", "/v1.0/oauth2/accessToken", "/open-apis/auth/v3/")
        return [r for r in self.requests if not r["path"].startswith(tokens)]


@pytest.fixture()
async def platforms() -> Any:
    recorder = Platforms()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recorder.handle)
    server = TestServer(app)
    await server.start_server()
    recorder.base = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    yield recorder
    await server.close()


@pytest.fixture()
def engine(fresh_settings: Settings) -> Any:
    made = make_engine(fresh_settings.database_url)
    ensure_tables(made)
    yield made
    made.dispose()


@pytest.fixture()
async def delivery(platforms: Platforms, engine: Engine) -> Any:
    base = platforms.base  # type: ignore[attr-defined]
    channels = ChannelsConfig(
        wecom=WeComConfig("ww-corp", "token", "k" * 43, agent_id="1000002", secret="wecom-secret", api_base=base),
        dingtalk=DingTalkConfig("ding-secret", app_key="ding-robot", api_base=base),
        feishu=FeishuConfig("cli_app", "feishu-secret", "verify", encrypt_key="e", api_base=base),
    )
    settings = Settings(
        wechat_app_id="wx1234567890abcdef", wechat_app_secret="wx-secret", wechat_api_base=base, channels=channels
    )
    async with aiohttp.ClientSession() as session:
        yield ReplyDelivery(engine, outbounds(session, settings))


def case(engine: Engine, conversation: str, channel: str, reply_to: dict[str, str] | None) -> tuple[int, str]:
    number = open_case(engine, conversation, ["转人工"], None, None, channel, reply_to=reply_to).case_number
    with Session(engine) as session:
        case_id = session.scalars(select(HandoffCase.id).where(HandoffCase.case_number == number)).one()
    return case_id, number


def replied(engine: Engine, conversation: str, channel: str, reply_to: dict[str, str], text: str) -> tuple[int, str]:
    """A case opened on ``channel`` that an operator has answered with ``text``."""
    case_id, number = case(engine, conversation, channel, reply_to)
    update_case(engine, case_id, "wang", "reply", text)
    return case_id, number


def state(engine: Engine, case_id: int) -> HandoffCase:
    with Session(engine) as session:
        found = session.get(HandoffCase, case_id)
        assert found is not None
        return found


def text_for(number: str, reply: str) -> str:
    return f"【人工客服答复】案件 {number}\n{reply}\n（随时发送“查询 {number}”可再次查看）"


async def test_wechat_sends_a_customer_service_message_once(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    case_id, number = replied(engine, "wechat-oUser1", "wechat", {"user": "oUser1"}, "请带上展会照片到省商务厅。")
    assert [d.case_number for d in await delivery.deliver_once()] == [number]
    assert platforms.requests == [
        {"method": "GET", "path": "/cgi-bin/token", "token": "", "body": None,
         "query": {"grant_type": "client_credential", "appid": "wx1234567890abcdef", "secret": "wx-secret"}},
        {"method": "POST", "path": "/cgi-bin/message/custom/send", "query": {"access_token": "wx-token-1"},
         "token": "wx-token-1",
         "body": {"touser": "oUser1", "msgtype": "text",
                  "text": {"content": text_for(number, "请带上展会照片到省商务厅。")}}},
    ]  # fmt: skip
    assert await delivery.deliver_once() == [] and len(platforms.requests) == 2  # sent once
    update_case(engine, case_id, "wang", "reply", "补充：周五前提交。")  # a new reply is a new message
    await delivery.deliver_once()
    assert [r["path"] for r in platforms.requests[2:]] == ["/cgi-bin/message/custom/send"]  # the token is reused
    assert platforms.requests[-1]["body"]["text"]["content"] == text_for(number, "补充：周五前提交。")
    assert state(engine, case_id).delivery_error is None


async def test_wecom_sends_an_application_message_and_renews_a_stale_token(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    platforms.stale_token_once.add("/cgi-bin/message/send")
    case_id, number = replied(engine, "wecom-ww-corp-zhangsan", "wecom", {"user": "zhangsan"}, "已转市场监管局。")
    await delivery.deliver_once()
    body = {"touser": "zhangsan", "msgtype": "text", "agentid": 1000002,
            "text": {"content": text_for(number, "已转市场监管局。")}}  # fmt: skip
    assert [(r["path"], r["query"], r["body"]) for r in platforms.requests] == [
        ("/cgi-bin/gettoken", {"corpid": "ww-corp", "corpsecret": "wecom-secret"}, None),
        ("/cgi-bin/message/send", {"access_token": "wecom-token-1"}, body),
        ("/cgi-bin/gettoken", {"corpid": "ww-corp", "corpsecret": "wecom-secret"}, None),
        ("/cgi-bin/message/send", {"access_token": "wecom-token-2"}, body),
    ]
    assert state(engine, case_id).delivery_error is None


async def test_dingtalk_writes_to_the_person_or_into_the_group_it_was_asked_in(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    _, first = replied(engine, "dingtalk-manager4220", "dingtalk", {"user": "manager4220"}, "单聊答复")
    group = {"user": "manager4220", "chat": "cid1"}
    _, second = replied(engine, "dingtalk-cid1-manager4220", "dingtalk", group, "群聊答复")
    await delivery.deliver_once()
    assert platforms.requests[0] == {
        "method": "POST", "path": "/v1.0/oauth2/accessToken", "query": {}, "token": "",
        "body": {"appKey": "ding-robot", "appSecret": "ding-secret"},
    }  # fmt: skip
    assert [(r["path"], r["token"], r["body"]) for r in platforms.sends()] == [
        ("/v1.0/robot/oToMessages/batchSend", "ding-token-1",
         {"robotCode": "ding-robot", "userIds": ["manager4220"], "msgKey": "sampleText",
          "msgParam": json.dumps({"content": text_for(first, "单聊答复")}, ensure_ascii=False)}),
        ("/v1.0/robot/groupMessages/send", "ding-token-1",
         {"robotCode": "ding-robot", "openConversationId": "cid1", "msgKey": "sampleText",
          "msgParam": json.dumps({"content": text_for(second, "群聊答复")}, ensure_ascii=False)}),
    ]  # fmt: skip


async def test_feishu_writes_to_the_user_or_the_group_chat(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    _, first = replied(engine, "feishu-ou_user1", "feishu", {"user": "ou_user1"}, "私聊答复")
    group = {"user": "ou_user1", "chat": "oc_chat1"}
    _, second = replied(engine, "feishu-oc_chat1-ou_user1", "feishu", group, "群聊答复")
    await delivery.deliver_once()
    assert platforms.requests[0]["body"] == {"app_id": "cli_app", "app_secret": "feishu-secret"}
    assert [(r["path"], r["query"], r["token"], r["body"]) for r in platforms.sends()] == [
        ("/open-apis/im/v1/messages", {"receive_id_type": "open_id"}, "t-feishu-1",
         {"receive_id": "ou_user1", "msg_type": "text",
          "content": json.dumps({"text": text_for(first, "私聊答复")}, ensure_ascii=False)}),
        ("/open-apis/im/v1/messages", {"receive_id_type": "chat_id"}, "t-feishu-1",
         {"receive_id": "oc_chat1", "msg_type": "text",
          "content": json.dumps({"text": text_for(second, "群聊答复")}, ensure_ascii=False)}),
    ]  # fmt: skip


async def test_a_refusal_is_kept_for_the_console_and_not_retried(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    platforms.refuse["/cgi-bin/message/custom/send"] = (200, {"errcode": 45015, "errmsg": "response out of time limit"})
    case_id, _ = replied(engine, "wechat-oLate", "wechat", {"user": "oLate"}, "答复")
    await delivery.deliver_once()
    assert state(engine, case_id).delivery_error == "公众号拒绝发送：errcode 45015"
    await delivery.deliver_once()
    assert len(platforms.sends()) == 1


async def test_web_cases_and_cases_without_an_address_are_not_sent_anywhere(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    web_case, _ = case(engine, "web-abc", "web", None)
    no_address, _ = case(engine, "wechat-old", "wechat", None)  # a case from before addresses were kept
    for case_id in (web_case, no_address):
        update_case(engine, case_id, "wang", "reply", "答复")
    assert await delivery.deliver_once() == [] and platforms.requests == []


async def test_of_two_gateways_exactly_one_sends_each_reply(
    delivery: ReplyDelivery, platforms: Platforms, engine: Engine
) -> None:
    base = platforms.base  # type: ignore[attr-defined]
    settings = Settings(wechat_app_id="wx1234567890abcdef", wechat_app_secret="wx-secret", wechat_api_base=base)
    ids = [case(engine, f"wechat-o{i}", "wechat", {"user": f"o{i}"})[0] for i in range(6)]
    for case_id in ids:
        update_case(engine, case_id, "wang", "reply", "答复")
    async with aiohttp.ClientSession() as session:
        other = ReplyDelivery(engine, outbounds(session, settings))
        first, second = await asyncio.gather(delivery.deliver_once(), other.deliver_once())
    assert sorted(d.case_id for d in [*first, *second]) == ids
    assert sorted(r["body"]["touser"] for r in platforms.sends()) == [f"o{i}" for i in range(6)]


def test_the_console_says_how_the_reply_reaches_the_user(engine: Engine) -> None:
    web_case, web_number = case(engine, "web-x", "web", None)
    wecom_case, number = case(engine, "wecom-c-u", "wecom", {"user": "u"})
    everywhere = frozenset({"wechat", "wecom", "dingtalk", "feishu"})
    assert delivery_line(state(engine, web_case), everywhere) == (
        f"答复会出现在用户仍打开的对话页面；用户也可发送“查询 {web_number}”查看。"
    )
    assert delivery_line(state(engine, wecom_case), everywhere) == "答复后会通过企业微信发送给用户。"
    assert delivery_line(state(engine, wecom_case), frozenset()) == (
        f"本服务未配置企业微信的发送接口，答复不会主动发出；用户也可发送“查询 {number}”查看。"
    )
    update_case(engine, wecom_case, "wang", "reply", "答复")
    assert delivery_line(state(engine, wecom_case), everywhere) == "答复正在通过企业微信发送（通常几秒内）。"
    claim_deliveries(engine, ("wecom",))
    assert delivery_line(state(engine, wecom_case), everywhere) == "答复已通过企业微信发送给用户。"
    delivery_failed(engine, wecom_case, "企业微信拒绝发送：errcode 81013")
    assert delivery_line(state(engine, wecom_case), everywhere) == (
        f"未能通过企业微信送达：企业微信拒绝发送：errcode 81013；用户也可发送“查询 {number}”查看。"
    )
