"""The shared channel layer: conversation ids within the gateway's sender rules, the reply contract, options."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

from bot.channel_settings import ChannelsConfig, DingTalkConfig
from bot.gateway.app import create_app
from bot.gateway.channels import keys
from bot.gateway.channels.base import Reply, choose_option, conversation_id, option
from bot.gateway.rasa_client import BotMessage, Button
from bot.settings import Settings

SENDER_RULE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def test_conversation_ids_are_readable_when_they_fit_and_hashed_otherwise() -> None:
    assert conversation_id("wecom", "ww1436e0e65a779aee", "ChenJiaShun") == "wecom-ww1436e0e65a779aee-ChenJiaShun"
    real_feishu = conversation_id(
        "feishu", "oc_5ad573a6411d72b8305fda3a9c15c70e", "ou_7d8a6e6df7621556ce0d21922b676706"
    )
    dingtalk_group = conversation_id("dingtalk", "cidPO3SCE0ZJ+Jq/xAH4sB9dw==", "manager4220")
    wecom_dotted = conversation_id("wecom", "ww1436e0e65a779aee", "zhang.san@corp")
    for sender in (real_feishu, dingtalk_group, wecom_dotted):
        assert SENDER_RULE.fullmatch(sender) and "-x" in sender
    # stable, and different users never share a conversation
    assert dingtalk_group == conversation_id("dingtalk", "cidPO3SCE0ZJ+Jq/xAH4sB9dw==", "manager4220")
    assert dingtalk_group != conversation_id("dingtalk", "cidPO3SCE0ZJ+Jq/xAH4sB9dw==", "manager4221")
    assert conversation_id("wecom", "a-b", "c") != conversation_id("wecom", "a", "b-c")


def test_reply_reads_the_contract_from_the_last_message_and_collects_citations() -> None:
    reply = Reply.of(
        [
            BotMessage("云南：……", (Button("查看原文", '/show_clause{"ref": "yunnan/10"}'),)),
            BotMessage(
                custom={
                    "kind": "answer",
                    "region": "yunnan",
                    "topic": None,
                    "citations": [{"ref": "yunnan/10", "title": "云南省 第10条"}, {"ref": "yunnan/10"}],
                }
            ),
        ]
    )
    assert reply.kind == "answer" and reply.citations == (("yunnan/10", "云南省 第10条"),)
    assert reply.plain() == "云南：……\n\n依据：云南省 第10条"
    assert Reply.of([BotMessage("您好")]).plain() == "您好"  # no contract: no sources line


def test_options_by_number_or_title() -> None:
    options = [option("查看原文", "/show_clause"), option("转人工", "/human_handoff")]
    assert choose_option("2", options) == choose_option("②", options) == choose_option("转人工", options)
    assert choose_option("3", options) == choose_option("2025", options) == choose_option("转", options) == ""


def test_a_channel_is_mounted_only_with_its_settings() -> None:
    assert ChannelsConfig.from_env({}) == ChannelsConfig()
    partial = ChannelsConfig.from_env({"WECOM_CORP_ID": "ww1", "WECOM_TOKEN": "t", "FEISHU_APP_ID": "cli_1"})
    assert partial.wecom is None and partial.feishu is None and partial.dingtalk is None
    full = ChannelsConfig.from_env(
        {
            "DINGTALK_APP_SECRET": "s",
            "FEISHU_APP_ID": "cli_1",
            "FEISHU_APP_SECRET": "x",
            "FEISHU_VERIFICATION_TOKEN": "v",
            "FEISHU_API_BASE": "http://127.0.0.1:9/",
        }
    )
    assert full.dingtalk is not None and full.feishu is not None and full.feishu.api_base == "http://127.0.0.1:9"


async def test_the_gateway_mounts_configured_channels_behind_its_own_middleware(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    channels = ChannelsConfig(dingtalk=DingTalkConfig(app_secret="secret"))
    client = await aiohttp_client(create_app(dataclasses.replace(gateway_settings, channels=channels)))
    refused = await client.post("/dingtalk", data=b"{}", headers={"timestamp": "1", "sign": "x"})
    assert refused.status == 403 and await refused.text() == "没有权限。"  # the gateway's plain Chinese error
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert (await client.post("/wecom", data=b"")).status == 404  # not configured: not mounted
    assert (await client.post("/feishu", data=b"")).status == 404


async def test_two_gateways_sharing_redis_answer_a_channel_message_once(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    from bot.gateway.channels import keys
    from bot.gateway.channels.crypto import dingtalk_sign
    from tests.support.redis import temporary_redis

    with temporary_redis() as port:
        channels = ChannelsConfig(dingtalk=DingTalkConfig(app_secret="secret"))
        settings = dataclasses.replace(gateway_settings, redis_url=f"redis://127.0.0.1:{port}/0", channels=channels)
        gateways = [await aiohttp_client(create_app(settings)) for _ in range(2)]
        body = json.dumps(
            {
                "msgId": "msgShared1",
                "senderStaffId": "u1",
                "conversationType": "1",
                "msgtype": "text",
                "text": {"content": "商标被抢注了"},
            }
        )
        replies = []
        for index, client in enumerate([*gateways, *gateways]):  # retries landing on either gateway
            timestamp = str(int(time.time() * 1000) + index)
            headers = {"timestamp": timestamp, "sign": dingtalk_sign("secret", timestamp)}
            response = await client.post("/dingtalk", data=body, headers=headers)
            assert response.status == 200
            replies.append(await response.text())
        assert len(set(replies)) == 1
        dialogues = [client.app._subapps[-1][keys.DIALOGUE] for client in gateways]
        assert sum(d.sessions.produced for d in dialogues) == 1


def test_every_channel_remembers_signed_requests_for_its_whole_accepted_window() -> None:
    """Issue 20 N1: replay memory (nonces and claimed deliveries) at least as long as a timestamp passes — a
    timestamp is accepted from ``WINDOW`` before it to ``WINDOW`` after it, so twice the window."""
    from bot.channel_settings import FeishuConfig, WeComConfig
    from bot.gateway.channels import dingtalk, feishu, wecom
    from bot.gateway.wechat import replay, sessions

    assert replay.NONCE_TTL >= 2 * replay.WINDOW and sessions.CLAIM_TTL >= 2 * replay.WINDOW
    apps = {
        dingtalk: dingtalk.create_dingtalk_app(DingTalkConfig(app_secret="s")),
        wecom: wecom.create_wecom_app(
            WeComConfig(corp_id="ww1", token="t", encoding_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
        ),
        feishu: feishu.create_feishu_app(FeishuConfig("cli_1", "secret", "token", "key")),
    }
    for module, app in apps.items():
        assert module.MEMORY >= 2 * module.WINDOW
        assert app[keys.DIALOGUE].claim_ttl >= 2 * module.WINDOW, module.__name__


async def test_a_wechat_and_a_dingtalk_message_take_the_same_dialogue(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    """Issue 22: the 公众号 is a platform module on the channel layer like 钉钉: each message is claimed, limited
    and asked through a ``Dialogue`` (one class), which says it asked Rasa once for each."""
    from bot.gateway.channels.base import Dialogue
    from bot.gateway.channels.crypto import dingtalk_sign
    from bot.gateway.channels.wording import UNAVAILABLE
    from tests.gateway.conftest import WECHAT_TOKEN
    from tests.gateway.wechat_support import reply_fields, signed_query, text_xml

    settings = dataclasses.replace(gateway_settings, channels=ChannelsConfig(dingtalk=DingTalkConfig("secret")))
    client = await aiohttp_client(create_app(settings))
    dialogues = client.app[keys.DIALOGUES]
    assert {type(d) for d in dialogues.values()} == {Dialogue} and set(dialogues) == {"wechat", "dingtalk"}
    assert {p: d.platform for p, d in dialogues.items()} == {"wechat": "wechat", "dingtalk": "dingtalk"}
    xml = text_xml("商标被抢注了", "22001", user="oWalk")
    wechat = await client.post(
        "/wechat", params=signed_query(WECHAT_TOKEN), data=xml, headers={"Content-Type": "text/xml"}
    )
    assert reply_fields(await wechat.text())["Content"] == UNAVAILABLE  # Rasa is not running in these tests
    timestamp = str(int(time.time() * 1000))
    body = {
        "msgId": "walk1",
        "senderStaffId": "u1",
        "conversationType": "1",
        "msgtype": "text",
        "text": {"content": "商标被抢注了"},
    }
    ding = await client.post(
        "/dingtalk", json=body, headers={"timestamp": timestamp, "sign": dingtalk_sign("secret", timestamp)}
    )
    assert json.loads(await ding.text())["text"]["content"].startswith(UNAVAILABLE)  # with the first-contact notice
    assert dialogues["wechat"].sessions.produced == 1 and dialogues["dingtalk"].sessions.produced == 1
