"""Enterprise channels — 企业微信 (``/wecom``), 钉钉 (``/dingtalk``), 飞书 (``/feishu``) — on one channel layer
(``base.py``): each platform module verifies, parses and renders; ``Dialogue`` does the rest.

``add_channels(app, config)`` mounts every channel whose settings are present; the others are not mounted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.gateway.channels import keys
from bot.gateway.channels.config import ChannelsConfig
from bot.gateway.channels.dingtalk import create_dingtalk_app
from bot.gateway.channels.feishu import create_feishu_app
from bot.gateway.channels.wecom import create_wecom_app
from bot.gateway.wechat.sessions import RedisSessions

__all__ = ["ChannelsConfig", "add_channels", "create_dingtalk_app", "create_feishu_app", "create_wecom_app"]


def add_channels(app: web.Application, config: ChannelsConfig | None) -> list[str]:
    """Mount the configured channels on the gateway (they use its Rasa pool); the mounted paths. With
    ``REDIS_URL`` their de-duplication, options and "继续" are shared by every gateway (as the 公众号's are)."""
    if config is None:
        return []
    mounted: dict[str, web.Application] = {}
    if config.wecom is not None:
        mounted["wecom"] = create_wecom_app(config.wecom, max_message_chars=config.max_message_chars)
    if config.dingtalk is not None:
        mounted["dingtalk"] = create_dingtalk_app(config.dingtalk, max_message_chars=config.max_message_chars)
    if config.feishu is not None:
        mounted["feishu"] = create_feishu_app(config.feishu, max_message_chars=config.max_message_chars)
    for platform, sub in mounted.items():
        app.add_subapp(f"/{platform}", sub)
    if mounted and config.redis_url:

        async def shared_state(_: web.Application) -> AsyncIterator[None]:
            from redis import asyncio as redis_asyncio  # only gateways with REDIS_URL need it

            client = redis_asyncio.from_url(config.redis_url, decode_responses=True)
            for platform, sub in mounted.items():
                sub[keys.DIALOGUE].sessions = RedisSessions(client, f"ipr:{platform}:")
            yield
            await client.aclose()

        app.cleanup_ctx.append(shared_state)
    return [f"/{platform}" for platform in mounted]
