"""Typed state of the channel sub-applications (``web.AppKey``), in a module of their own like ``gateway/keys.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from bot.gateway.channels.base import Dialogue

DIALOGUE = web.AppKey("channel_dialogue", Dialogue)
CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("channel_clock")  # time.time; tests set a sample's time
TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("channel_tasks")  # replies written after the answer (飞书)
