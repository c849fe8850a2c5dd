"""``python -m bot.gateway``: serve the chat page, widget, staff console and WeChat endpoint (default :8000)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.channel_settings import ChannelConfigError
from bot.gateway.accesslog import OneLineFormatter, PathOnlyAccessLogger
from bot.gateway.app import create_app
from bot.kb.errors import KnowledgeBaseUnavailable
from bot.kb.service import open_knowledge_base
from bot.settings import MIN_STAFF_TOKEN, Settings


def main() -> int:
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    settings = Settings.from_env()
    if settings.staff_token and len(settings.staff_token) < MIN_STAFF_TOKEN:
        print(f"网关无法启动：STAFF_TOKEN 至少需要{MIN_STAFF_TOKEN}个字符（建议随机生成）。", file=sys.stderr)
        return 1
    try:
        knowledge_base = open_knowledge_base(settings)  # fail early, naming the fix, not at the first request
    except KnowledgeBaseUnavailable as error:
        print(f"网关无法启动：{error.message}", file=sys.stderr)
        return 1
    try:
        app = create_app(settings, knowledge_base)
    except ChannelConfigError as error:
        print(f"网关无法启动：{error}", file=sys.stderr)
        return 1
    web.run_app(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log_class=PathOnlyAccessLogger,  # never the query string: WeChat's signatures are in it
        print=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
