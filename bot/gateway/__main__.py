"""``python -m bot.gateway``: serve the chat page, widget, staff console and WeChat endpoint (default :8000)."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.gateway.app import create_app
from bot.settings import Settings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    web.run_app(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log_format='%a "%r" %s %b %Tfs',
        print=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
