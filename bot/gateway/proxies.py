"""Behind a reverse proxy: the client's address and scheme come from ``X-Forwarded-For`` / ``X-Forwarded-Proto``
(and the host from ``X-Forwarded-Host``) — but only when the connection comes from one of ``TRUSTED_PROXIES``.

From anyone else these headers are whatever the client wrote, so they are ignored: a client cannot pick the
address the rate limiter counts, nor pretend to have come over TLS. Without this, every user behind a TLS proxy
shared the proxy's address (one flood locked everyone out) and the page's own chat was refused (its Origin is
``https://…`` while the gateway saw ``http``).

``X-Forwarded-For`` is read from the right: each trusted proxy appends the address it saw, so the first address
from the right that is not a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.gateway.keys import PROXIES, Network

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` entries: addresses or networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``)."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _trusted(address: str | None, networks: tuple[Network, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str, networks: tuple[Network, ...]) -> str | None:
    """The client's address: ``peer`` itself unless it is a trusted proxy, else the right-most untrusted hop."""
    if not _trusted(peer, networks):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # garbage in the header: keep the proxy's address rather than guess
        if not _trusted(hop, networks):
            return hop
    return peer


@web.middleware
async def forwarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    networks = request.config_dict[PROXIES]
    if not networks or not _trusted(request.remote, networks):
        return await handler(request)
    changes: dict[str, str] = {}
    address = client_address(request.remote, request.headers.get("X-Forwarded-For", ""), networks)
    if address and address != request.remote:
        changes["remote"] = address
    scheme = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
    if scheme in ("http", "https"):
        changes["scheme"] = scheme
    host = request.headers.get("X-Forwarded-Host", "").split(",")[-1].strip()
    if host and len(host) <= 255 and host.isascii() and " " not in host:
        changes["host"] = host
    return await handler(request.clone(**changes) if changes else request)  # type: ignore[arg-type]
