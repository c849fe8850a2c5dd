"""Typed application state (``web.AppKey``), in a module of its own: handlers import the keys from here, never
from ``app.py`` (which imports the handlers), so there is no import circle."""

from __future__ import annotations

import ipaddress

from aiohttp import web
from sqlalchemy import Engine

from bot.answers.wording import Wording
from bot.gateway.login_throttle import LoginThrottle
from bot.gateway.push_feed import ReplyFeed
from bot.gateway.rasa_client import RasaPool
from bot.gateway.ratelimit import Limiter
from bot.gateway.wechat.sessions import WeChatSessions
from bot.kb.query import KnowledgeBase
from bot.report.cache import ReportCache
from bot.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTINGS = web.AppKey("settings", Settings)
RASA = web.AppKey("rasa", RasaPool)
KB = web.AppKey("kb", KnowledgeBase)
WORDING = web.AppKey("wording", Wording)  # domain.yml's responses: what the console and pages say as the chat does
CHAT_PAGE = web.AppKey("chat_page", str)  # index.html with its note filled from WORDING (bot.gateway.pages)
WIDGET_SCRIPT = web.AppKey("widget_script", str)  # /widget.js, assembled from static/widget/ (bot.gateway.pages)
RECORDS = web.AppKey("records", Engine)
WECHAT = web.AppKey("wechat_sessions", WeChatSessions)
LIMITER = web.AppKey("rate_limiter", Limiter)  # web chat, per client address (IPv6: per /64)
ID_LIMITER = web.AppKey("id_limiter", Limiter)  # new web conversation ids, per client address (IPv6: per /64)
WECHAT_LIMITER = web.AppKey("wechat_rate_limiter", Limiter)  # WeChat, per user (OpenID)
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)  # failed staff logins
PROXIES = web.AppKey("trusted_proxies", tuple[Network, ...])  # TRUSTED_PROXIES, parsed
CONVERSATION_SECRET = web.AppKey("conversation_secret", bytes)  # signs the web chat's conversation ids
REPORT = web.AppKey("demand_report", ReportCache)  # the console's 统计 page, built in the background
REPLY_FEED = web.AppKey("reply_feed", ReplyFeed)  # pages waiting for an operator's reply (bot.gateway.push)
SENDABLE: web.AppKey[frozenset[str]] = web.AppKey("sendable_platforms")  # platforms a reply is sent on (delivery)
