"""The gateway application factory: typed app state, one client session to Rasa, the knowledge base snapshot."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.answers.wording import Wording
from bot.gateway.channels.keys import DIALOGUES
from bot.gateway.channels.mount import add_channels
from bot.gateway.delivery import delivery_context, sendable
from bot.gateway.keys import (
    CHAT_PAGE,
    CONVERSATION_SECRET,
    ID_LIMITER,
    KB,
    LIMITER,
    LOGIN_THROTTLE,
    PROXIES,
    RASA,
    RECORDS,
    REPORT,
    SENDABLE,
    SETTINGS,
    WECHAT,
    WECHAT_LIMITER,
    WIDGET_SCRIPT,
    WORDING,
)
from bot.gateway.login_throttle import make_login_throttle
from bot.gateway.middleware import error_middleware, security_headers
from bot.gateway.pages import chat_page, widget_source
from bot.gateway.proxies import forwarded, parse_networks
from bot.gateway.push import close_streams, feed_context
from bot.gateway.rasa_client import RasaPool, Vocabulary
from bot.gateway.ratelimit import make_limiter
from bot.gateway.routes import setup_routes
from bot.gateway.staff_stats import report_cache
from bot.gateway.wechat.sessions import RedisSessions
from bot.kb.db import make_engine
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import PROJECT_ROOT, Settings
from bot.store import directory
from bot.store.records import ensure_tables

__all__ = ["KB", "LIMITER", "RASA", "RECORDS", "SETTINGS", "WECHAT", "WECHAT_LIMITER", "create_app"]

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024  # a chat message is at most 500 characters; nothing legitimate is larger


def create_app(settings: Settings, knowledge_base: KnowledgeBase | None = None) -> web.Application:
    """The gateway; ``knowledge_base`` is opened at startup unless the caller already opened (and checked) it."""
    # forwarded first: everything after it sees the client's address and scheme (from trusted proxies only).
    app = web.Application(middlewares=[forwarded, security_headers, error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[PROXIES] = parse_networks(settings.trusted_proxies)
    app[CONVERSATION_SECRET] = settings.conversation_secret.encode() or secrets.token_bytes(32)
    if knowledge_base is not None:
        app[KB] = knowledge_base
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(feed_context)  # after _resources: it reads the records engine
    app.cleanup_ctx.append(delivery_context)  # replies sent on 公众号, 企业微信, 钉钉, 飞书
    app[SENDABLE] = sendable(settings)
    app.on_shutdown.append(close_streams)
    setup_routes(app)
    add_channels(
        app, settings.channels, settings.max_message_chars
    )  # 公众号, and 企业微信 / 钉钉 / 飞书 where their settings are present
    return app


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if KB not in app:
        app[KB] = open_knowledge_base(settings)
    app[WORDING] = Wording.load(PROJECT_ROOT / "domain.yml")
    app[CHAT_PAGE] = chat_page(app[WORDING])
    app[WIDGET_SCRIPT] = widget_source()
    engine = make_engine(settings.database_url)
    ensure_tables(engine)
    app[RECORDS] = engine
    if settings.service_directory is not None:  # a bad file stops the start: the office must see it, not guess
        added = directory.seed(
            engine, directory.read_file(settings.service_directory, {d.slug for d in app[KB].documents})
        )
        log.info("service directory: %d contacts added from %s", added, settings.service_directory)
    app[REPORT] = report_cache(settings, app[KB])  # built on the first 统计 view, then kept fresh in the background
    redis = None
    if settings.redis_url:
        from redis import asyncio as redis_asyncio  # imported here: only gateways with REDIS_URL need it

        redis = redis_asyncio.from_url(settings.redis_url, decode_responses=True)
    if redis is not None:  # one client for every channel: de-duplication, options and "继续" shared by replicas
        for platform, dialogue in app[DIALOGUES].items():
            dialogue.sessions = RedisSessions(redis, f"ipr:{platform}:")
    app[WECHAT] = app[DIALOGUES]["wechat"].sessions
    app[LIMITER] = make_limiter(redis, "web", settings.rate_per_minute, settings.rate_burst)
    # New conversation ids: a tenth of the message rate, half its burst (3 a minute after 5; off with the limit).
    app[ID_LIMITER] = make_limiter(redis, "ids", settings.rate_per_minute / 10, max(1, settings.rate_burst // 2))
    app[WECHAT_LIMITER] = make_limiter(redis, "wechat", settings.wechat_rate_per_minute, settings.wechat_rate_burst)
    # Failed staff logins: a burst, then one every few minutes (per account and address, per address, per account).
    app[LOGIN_THROTTLE] = make_login_throttle(redis, settings.login_burst_per_address, settings.login_burst_per_account)
    async with aiohttp.ClientSession() as session:
        app[RASA] = RasaPool(
            session,
            settings.rasa_urls,
            settings.rasa_timeout,
            session_turns=settings.rasa_session_turns,
            vocabulary=Vocabulary.from_domain(PROJECT_ROOT / "domain.yml"),
        )
        yield
        await app[RASA].close()
    engine.dispose()
    if redis is not None:
        await redis.aclose()
