"""Enterprise channels — 企业微信 (``/wecom``), 钉钉 (``/dingtalk``), 飞书 (``/feishu``) — on one channel layer
(``base.py``): each platform module verifies, parses and renders; ``Dialogue`` does the rest.

``add_channels(app, config)`` mounts every channel whose settings are present; the others are not mounted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.gateway.channels.config import ChannelsConfig
from bot.gateway.channels.dingtalk import create_dingtalk_app
from bot.gateway.channels.feishu import create_feishu_app
from bot.gateway.channels.wecom import create_wecom_app
from bot.gateway.wechat.sessions import MemorySessions, RedisSessions, WeChatSessions

__all__ = ["ChannelsConfig", "add_channels", "create_dingtalk_app", "create_feishu_app", "create_wecom_app"]


class _LazyRedisSessions(RedisSessions):
    """RedisSessions whose client is opened at startup (no I/O when the app is built)."""

    def __init__(self, prefix: str) -> None:
        super().__init__(None, prefix)


def add_channels(app: web.Application, config: ChannelsConfig | None) -> list[str]:
    """Mount the configured channels on the gateway (they use its Rasa pool); the mounted paths."""
    if config is None:
        return []
    mounted: list[str] = []

    def sessions(platform: str) -> WeChatSessions:
        return _LazyRedisSessions(f"ipr:{platform}:") if config.redis_url else MemorySessions()

    lazy: list[_LazyRedisSessions] = []

    def store(platform: str) -> WeChatSessions:
        made = sessions(platform)
        if isinstance(made, _LazyRedisSessions):
            lazy.append(made)
        return made

    if config.wecom is not None:
        app.add_subapp("/wecom", create_wecom_app(config.wecom, None, store("wecom"), config.max_message_chars))
        mounted.append("/wecom")
    if config.dingtalk is not None:
        app.add_subapp(
            "/dingtalk", create_dingtalk_app(config.dingtalk, None, store("dingtalk"), config.max_message_chars)
        )
        mounted.append("/dingtalk")
    if config.feishu is not None:
        app.add_subapp("/feishu", create_feishu_app(config.feishu, None, store("feishu"), config.max_message_chars))
        mounted.append("/feishu")
    if lazy:

        async def redis_client(_: web.Application) -> AsyncIterator[None]:
            from redis import asyncio as redis_asyncio  # only gateways with REDIS_URL need it

            client = redis_asyncio.from_url(config.redis_url, decode_responses=True)
            for store in lazy:
                store._redis = client
            yield
            await client.aclose()

        app.cleanup_ctx.append(redis_client)
    return mounted
