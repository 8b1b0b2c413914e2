"""Who the client is: the peer, or behind a trusted proxy, the address it forwards."""

from __future__ import annotations

from aiohttp.typedefs import Handler

import ipaddress
from collections.abc import Sequence

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
CLIENT = web.RequestKey("client", str)
TRUSTED = web.AppKey("trusted_proxies", tuple[Network, ...])


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def client_address(remote: str | None, forwarded_for: Sequence[str], networks: Sequence[Network]) -> str:
    """X-Forwarded-For counts only when the peer is a trusted proxy; then the rightmost
    address that is not a trusted proxy is the client (the ones left of it are whatever
    the client chose to send)."""
    peer = remote or "?"
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: count the proxy
    return hops[0] if hops else peer


@web.middleware
async def identify_client(request: web.Request, handler: Handler) -> web.StreamResponse:
    trusted: tuple[Network, ...] = request.app[TRUSTED] if TRUSTED in request.app else ()
    request[CLIENT] = client_address(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)
    return await handler(request)
