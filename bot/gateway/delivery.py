"""An operator's reply sent to the user on their platform (公众号, 企业微信, 钉钉, 飞书), once, by one gateway.

Every ``INTERVAL`` seconds the gateway claims the replies not yet sent on the platforms it can send to
(``records.claim_deliveries``: a conditional update, so of several gateways exactly one sends each) and sends them
through the platform's message API (``channels.outbound``). A refusal is kept on the case for the console; the user
can still read the reply with 查询. A platform without the settings its API needs is skipped (its replies wait for
查询, as before). Web chat pages get theirs by ``bot.gateway.push``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway import keys
from bot.gateway.channels.feishu_api import FeishuApi
from bot.gateway.channels.outbound import (
    DeliveryError,
    DingTalkOutbound,
    FeishuOutbound,
    Outbound,
    WeChatOutbound,
    WeComOutbound,
    http_client,
)
from bot.settings import Settings
from bot.store.records import Delivery, claim_deliveries, delivery_failed

log = logging.getLogger(__name__)

INTERVAL = 3.0  # seconds between looks for new replies
MAX_CHARS = 600  # of the reply in one platform message (2048 bytes for WeChat's text); 查询 shows it all


def message(delivery: Delivery) -> str:
    reply = delivery.reply if len(delivery.reply) <= MAX_CHARS else delivery.reply[: MAX_CHARS - 1] + "…"
    return f"【人工客服答复】案件 {delivery.case_number}\n{reply}\n（随时发送“查询 {delivery.case_number}”可再次查看）"


def sendable(settings: Settings) -> frozenset[str]:
    """The platforms whose message API this gateway has the settings for (a case's channel names)."""
    found, channels = set(), settings.channels
    if settings.wechat_app_id and settings.wechat_app_secret:
        found.add("wechat")
    if channels.wecom and channels.wecom.secret and channels.wecom.agent_id.isdigit():
        found.add("wecom")
    if channels.dingtalk and channels.dingtalk.app_key:
        found.add("dingtalk")
    if channels.feishu:
        found.add("feishu")
    return frozenset(found)


def outbounds(session: aiohttp.ClientSession, settings: Settings) -> dict[str, Outbound]:
    """A sender for each platform in ``sendable``, by the case's channel name."""
    found: dict[str, Outbound] = {}
    channels, can = settings.channels, sendable(settings)
    if "wechat" in can:
        found["wechat"] = WeChatOutbound(
            http_client(session, settings.wechat_api_base, "公众号"), settings.wechat_app_id, settings.wechat_app_secret
        )
    if channels.wecom and "wecom" in can:
        wecom = channels.wecom
        found["wecom"] = WeComOutbound(
            http_client(session, wecom.api_base, "企业微信"), wecom.corp_id, wecom.secret, wecom.agent_id
        )
    if channels.dingtalk and "dingtalk" in can:
        dingtalk = channels.dingtalk
        found["dingtalk"] = DingTalkOutbound(
            http_client(session, dingtalk.api_base, "钉钉"), dingtalk.app_key, dingtalk.app_secret
        )
    if channels.feishu and "feishu" in can:
        feishu = channels.feishu
        found["feishu"] = FeishuOutbound(FeishuApi(session, feishu.api_base, feishu.app_id, feishu.app_secret))
    return found


class ReplyDelivery:
    def __init__(self, engine: Engine, senders: dict[str, Outbound]) -> None:
        self._engine, self._senders = engine, senders

    async def deliver_once(self) -> list[Delivery]:
        """Send what is waiting; the deliveries this call claimed (sent or refused)."""
        claimed = await asyncio.to_thread(claim_deliveries, self._engine, tuple(self._senders))
        for delivery in claimed:
            try:
                await self._senders[delivery.channel].send(delivery.reply_to, message(delivery))
            except DeliveryError as error:
                log.warning("reply to case %s not delivered: %s", delivery.case_number, error)
                await asyncio.to_thread(delivery_failed, self._engine, delivery.case_id, str(error))
        return claimed

    async def run(self, interval: float = INTERVAL) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.deliver_once()
            except SQLAlchemyError:
                log.exception("could not read replies to deliver; trying again")


async def delivery_context(app: web.Application) -> AsyncIterator[None]:
    """A ``cleanup_ctx`` entry: the delivery loop runs while the gateway does (none when no platform can send)."""
    async with aiohttp.ClientSession() as session:
        senders = outbounds(session, app[keys.SETTINGS])
        task = None
        if senders:
            task = asyncio.create_task(ReplyDelivery(app[keys.RECORDS], senders).run())
            log.info("operators' replies are sent on: %s", ", ".join(sorted(senders)))
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
