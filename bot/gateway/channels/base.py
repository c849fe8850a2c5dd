"""The channel layer shared by 公众号, 企业微信, 钉钉 and 飞书: one conversation engine, one view of Rasa's reply.

A platform module does three things — **verify** a callback (signature, freshness, one use of a signed request),
**parse** it into a ``Turn`` (who, which conversation, what text, which delivery) and **render** the reply in its
own format — and hands the rest to ``Dialogue``:

- each delivery is answered once: retries of the same message (WeChat's and WeCom's ``MsgId``, DingTalk's ``msgId``, Feishu's
  ``event_id``) get the first delivery's answer, from this gateway or another one sharing Redis;
- "继续" shows the next part of a long answer, a number ("2", "②") or a button title chooses one of the last options;
- the message goes to Rasa with ``metadata.channel`` = the platform, under a conversation id per platform user (and
  per group chat where the platform has group bots), within the gateway's sender rules (hashed when needed);
- a user over the channel's rate limit (where it has one: the 公众号's) is asked to wait, without asking Rasa;
- an answer slower than the platform's deadline is parked for "继续".

``Reply`` is the reply contract as the channels see it: texts, buttons, and from ``custom`` the ``kind`` and the
``citations`` (``{"ref": "yunnan/10", "title": "云南省 第10条"}``) — rendered as a "依据" line on every platform.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from bot.gateway import keys as gateway_keys
from bot.gateway.channels.wording import (
    CHOOSE,
    CONTINUE_WORDS,
    NOTHING_MORE,
    SOURCES,
    STILL_WORKING,
    TEXT_ONLY,
    TOO_FAST,
    UNAVAILABLE,
)
from bot.gateway.rasa_client import BotMessage, Button, RasaUnavailable
from bot.gateway.ratelimit import Limiter
from bot.gateway.wechat.sessions import CLAIM_TTL, UserState, WeChatSessions
from bot.settings import Settings
from bot.store.privacy import privacy_notice

log = logging.getLogger(__name__)

MAX_OPTIONS = 9
WELCOME_PAYLOAD = (
    "/greet"  # what a platform's "entered the chat" event asks Rasa (公众号's subscribe, 企业微信's enter_agent)
)
MAX_OPTION_DIGITS = 2  # at most 9 options: "1"…"9" (a longer number is ordinary text)
_SAFE_PART = re.compile(r"[A-Za-z0-9_]{1,64}")
_SEP = "\x1f"  # between a stored option's title and payload


def conversation_id(platform: str, *parts: str) -> str:
    """``wecom-<corp>-<user>`` when every part is plain ASCII and the whole fits 64 characters (the gateway's sender
    rule ``[A-Za-z0-9_-]{8,64}``), else ``<platform>-x<hash>`` of the parts: stable, and never mixed up."""
    readable = "-".join((platform, *parts))
    if all(_SAFE_PART.fullmatch(part) for part in parts) and 8 <= len(readable) <= 64:
        return readable
    digest = hashlib.sha256(_SEP.join(parts).encode("utf-8", "replace")).hexdigest()[:40]
    return f"{platform}-x{digest}"


@dataclass(frozen=True)
class Reply:
    """One turn of the assistant: what every renderer needs from Rasa's messages."""

    texts: tuple[str, ...]
    buttons: tuple[Button, ...] = ()
    kind: str = ""
    citations: tuple[tuple[str, str], ...] = ()  # (ref, title)
    card: Mapping[str, object] | None = None  # the step card of the contract's answer (``render.structured_card``)

    @classmethod
    def of(cls, messages: list[BotMessage]) -> Reply:
        kind, citations, seen = "", [], set()
        card = None
        for message in messages:
            if isinstance(message.custom.get("kind"), str):
                kind = message.custom["kind"]  # the last message's contract wins
                answer = message.custom.get("answer")
                found = answer.get("card") if isinstance(answer, dict) else None
                card = found if isinstance(found, dict) else None
            for item in message.custom.get("citations") or []:
                if isinstance(item, dict) and isinstance(item.get("ref"), str) and item["ref"] not in seen:
                    seen.add(item["ref"])
                    citations.append((item["ref"], str(item.get("title") or item["ref"])))
        return cls(
            texts=tuple(m.text for m in messages if m.text),
            buttons=tuple(b for m in messages for b in m.buttons)[:MAX_OPTIONS],
            kind=kind,
            citations=tuple(citations),
            card=card,
        )

    @property
    def sources(self) -> str:
        """ "依据：贵州省 第17条；云南省 第10条", or "" when the reply cites nothing."""
        return SOURCES + "；".join(title for _, title in self.citations) if self.citations else ""

    def plain(self) -> str:
        return "\n\n".join([*self.texts, *([self.sources] if self.sources else [])])


@dataclass(frozen=True)
class Notice:
    """A message of the gateway itself (a part for "继续", "正在查询", "暂时无法回答"), not of the assistant."""

    text: str
    part: bool = False  # a part of a long answer ("继续" may follow)


Outcome = Reply | Notice


@dataclass(frozen=True)
class Turn:
    conversation: str  # Rasa's sender id
    text: str  # what the user typed ("" for a message that is not text)
    delivery: str  # de-duplication key of this delivery (a retry has the same)
    is_text: bool = True
    payload: str = ""  # a button's payload sent as is (飞书's card buttons)
    # Where the platform's message API reaches this user (("user", id), and ("chat", id) in a group): passed to Rasa
    # as metadata.reply_to, kept on a 转人工 case, used to send the operator's reply (bot.gateway.delivery).
    reply_to: tuple[tuple[str, str], ...] = ()


class Asker(Protocol):
    async def send(
        self, sender: str, message: str, metadata: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[BotMessage]: ...


# A renderer turns an outcome into the platform's reply body; it may set the user's options and pending parts.
Render = Callable[[Outcome, UserState], str]


@dataclass
class Dialogue:
    platform: str  # "wechat", "wecom", "dingtalk", "feishu": metadata.channel, and the case's channel in the console
    sessions: WeChatSessions
    rasa: Asker | None = None  # None: the gateway's pool (``RASA`` of the parent app)
    max_message_chars: int = 500
    claim_ttl: float = CLAIM_TTL  # seconds a delivery is remembered: the channel's whole accepted window
    # Platforms without a welcome event (钉钉, 飞书): the first reply to a user carries the privacy notice.
    first_notice: bool = False
    limiter: web.AppKey[Limiter] | None = None  # the gateway's per-user limit for this channel, if it has one
    _parking: set[asyncio.Task[None]] = field(default_factory=set)

    async def answer(self, request: web.Request, turn: Turn, render: Render, deadline: float | None = None) -> str:
        """The reply body for this delivery: produced once, the same for every retry of it."""
        if not await self.sessions.claim(turn.delivery, self.claim_ttl):
            return await self.sessions.wait_answer(turn.delivery, deadline or 10.0) or render(
                Notice(STILL_WORKING), UserState()
            )
        body = await self.respond(request, turn, render, deadline)
        await self.sessions.store_answer(turn.delivery, body)
        return body

    async def first_delivery(self, delivery: str) -> bool:
        """True for the first delivery of a message (a platform that answers out of band drops the others)."""
        return await self.sessions.claim(delivery, self.claim_ttl)

    async def respond(self, request: web.Request, turn: Turn, render: Render, deadline: float | None = None) -> str:
        state = await self.sessions.load_user(turn.conversation)
        if self.first_notice and not state.noticed:
            state.noticed = True
            settings = request.config_dict.get(gateway_keys.SETTINGS)
            render = _with_notice(
                render, privacy_notice(settings.retention_days if settings else Settings.retention_days)
            )
        body = await self._produce(request, turn, state, render, deadline)
        await self.sessions.save_user(turn.conversation, state)
        return body

    async def _produce(
        self, request: web.Request, turn: Turn, state: UserState, render: Render, deadline: float | None
    ) -> str:
        message = turn.payload or turn.text.strip()
        if not turn.is_text or not message:
            return render(Notice(TEXT_ONLY), state)
        if not turn.payload:
            if message in CONTINUE_WORDS:
                if not state.pending:
                    return render(Notice(NOTHING_MORE), state)
                return render(Notice(state.pending.pop(0), part=True), state)
            message = choose_option(message, state.options) or message[: self.max_message_chars]
        if self.limiter is not None and await request.config_dict[self.limiter].check(turn.conversation):
            return render(Notice(TOO_FAST), state)  # stored for the delivery: its retries get the same
        self.sessions.produced += 1
        ask = asyncio.ensure_future(self._ask(request, turn, message))
        try:
            reply = await (asyncio.wait_for(asyncio.shield(ask), deadline) if deadline else ask)
        except asyncio.TimeoutError:
            ask.add_done_callback(lambda done: self._park(done, turn.conversation, render))
            return render(Notice(STILL_WORKING), state)
        return render(reply, state)

    async def _ask(self, request: web.Request, turn: Turn, message: str) -> Outcome:
        rasa = self.rasa or request.config_dict[gateway_keys.RASA]
        metadata: dict[str, Any] = {"channel": self.platform}
        if turn.reply_to:
            metadata["reply_to"] = dict(turn.reply_to)
        try:
            return Reply.of(await rasa.send(turn.conversation, message, metadata))
        except RasaUnavailable:
            return Notice(UNAVAILABLE)

    def _park(self, done: asyncio.Future[Outcome], conversation: str, render: Render) -> None:
        """A late answer becomes the first part "继续" shows."""
        if done.cancelled() or done.exception() is not None:
            return

        async def put_first() -> None:
            state = await self.sessions.load_user(conversation)
            state.pending = []
            first = render(done.result(), state)  # may set the parts after the first one
            state.pending = [first, *state.pending]
            await self.sessions.save_user(conversation, state)

        task = asyncio.ensure_future(put_first())
        self._parking.add(task)
        task.add_done_callback(self._parking.discard)


def _with_notice(render: Render, notice: str) -> Render:
    """``render`` with ``notice`` after what the outcome says (the user's first contact on this platform)."""

    def rendered(outcome: Outcome, state: UserState) -> str:
        if isinstance(outcome, Notice):
            return render(Notice(f"{outcome.text}\n\n{notice}", outcome.part), state)
        return render(dataclasses.replace(outcome, texts=(*outcome.texts, notice)), state)

    return rendered


def option(title: str, payload: str) -> str:
    return f"{title}{_SEP}{payload}"


def choose_option(message: str, options: list[str]) -> str:
    """The payload a reply chooses: its number ("2", "２", "②") or its title; "" when it chooses none."""
    pairs = [entry.split(_SEP, 1) for entry in options if _SEP in entry]
    index = option_number(message)
    if index:
        return pairs[index - 1][1] if index <= len(pairs) else ""
    return next((payload for title, payload in pairs if title == message), "")


def option_number(message: str) -> int:
    """The option a reply like "2", "２", "②" or "²" chooses (NFKC reads them all as 2); 0 for anything else."""
    digits = unicodedata.normalize("NFKC", message)
    if digits.isascii() and digits.isdigit() and len(digits) <= MAX_OPTION_DIGITS:
        return int(digits)
    return 0


def numbered(buttons: tuple[Button, ...]) -> str:
    return CHOOSE + "\n" + "\n".join(f"{n}. {b.title}" for n, b in enumerate(buttons, start=1))


async def read_body(request: web.Request, limit: int) -> bytes:
    """The body, at most ``limit`` bytes (413 beyond, whatever Content-Length says or does not say)."""
    if (request.content_length or 0) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length or 0)
    data = bytearray()
    while True:
        chunk = await request.content.read(limit + 1 - len(data))
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data))


def fresh(timestamp: str, now: float, window: float, per_second: int = 1) -> bool:
    """``timestamp`` (digits; seconds, or milliseconds with ``per_second=1000``) within ``window`` seconds of now."""
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 16:
        return False
    return abs(int(timestamp) / per_second - now) <= window


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
