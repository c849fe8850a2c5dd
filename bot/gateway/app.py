"""The gateway application factory: typed app state, one client session to Rasa, the knowledge base snapshot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from sqlalchemy import Engine

from bot.gateway.middleware import error_middleware, security_headers
from bot.gateway.rasa_client import RasaPool
from bot.gateway.ratelimit import RateLimiter
from bot.gateway.routes import setup_routes
from bot.gateway.wechat.sessions import MemorySessions, RedisSessions, WeChatSessions
from bot.kb.db import make_engine
from bot.kb.query import KnowledgeBase
from bot.kb.service import open_knowledge_base
from bot.settings import Settings
from bot.store.records import ensure_tables

SETTINGS = web.AppKey("settings", Settings)
RASA = web.AppKey("rasa", RasaPool)
KB = web.AppKey("kb", KnowledgeBase)
RECORDS = web.AppKey("records", Engine)
WECHAT = web.AppKey("wechat_sessions", WeChatSessions)
LIMITER = web.AppKey("rate_limiter", RateLimiter)

MAX_BODY = 64 * 1024  # a chat message is at most 500 characters; nothing legitimate is larger


def create_app(settings: Settings, knowledge_base: KnowledgeBase | None = None) -> web.Application:
    """The gateway; ``knowledge_base`` is opened at startup unless the caller already opened (and checked) it."""
    app = web.Application(middlewares=[error_middleware, security_headers], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    if knowledge_base is not None:
        app[KB] = knowledge_base
    app[LIMITER] = RateLimiter(settings.rate_per_minute, settings.rate_burst)
    app.cleanup_ctx.append(_resources)
    setup_routes(app)
    return app


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if KB not in app:
        app[KB] = open_knowledge_base(settings)
    engine = make_engine(settings.database_url)
    ensure_tables(engine)
    app[RECORDS] = engine
    sessions = RedisSessions(settings.redis_url) if settings.redis_url else MemorySessions()
    app[WECHAT] = sessions
    async with aiohttp.ClientSession() as session:
        app[RASA] = RasaPool(session, settings.rasa_urls, settings.rasa_timeout)
        yield
    engine.dispose()
    if isinstance(sessions, RedisSessions):
        await sessions.close()
