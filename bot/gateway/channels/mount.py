"""Mount the chat channels on the gateway: the 公众号 (it answers 503 until ``WECHAT_TOKEN`` is set) and every
enterprise channel whose settings are present; the others are not mounted. Their dialogues are listed under
``keys.DIALOGUES``: the gateway gives them its Redis store at start, when it has one."""

from __future__ import annotations

from aiohttp import web

from bot.channel_settings import ChannelsConfig
from bot.gateway.channels import keys
from bot.gateway.channels.dingtalk import create_dingtalk_app
from bot.gateway.channels.feishu import create_feishu_app
from bot.gateway.channels.official_account import create_official_account_app
from bot.gateway.channels.wecom import create_wecom_app


def add_channels(app: web.Application, config: ChannelsConfig, max_message_chars: int = 500) -> list[str]:
    """Mount the channels on the gateway (they use its Rasa pool and, with ``REDIS_URL``, its Redis client: then
    de-duplication, options and "继续" are shared by every gateway); the mounted paths."""
    mounted: dict[str, web.Application] = {"wechat": create_official_account_app()}
    if config.wecom is not None:
        mounted["wecom"] = create_wecom_app(config.wecom, max_message_chars=max_message_chars)
    if config.dingtalk is not None:
        mounted["dingtalk"] = create_dingtalk_app(config.dingtalk, max_message_chars=max_message_chars)
    if config.feishu is not None:
        mounted["feishu"] = create_feishu_app(config.feishu, max_message_chars=max_message_chars)
    for platform, sub in mounted.items():
        app.add_subapp(f"/{platform}", sub)
    app[keys.DIALOGUES] = {platform: sub[keys.DIALOGUE] for platform, sub in mounted.items()}
    return [f"/{platform}" for platform in mounted]
