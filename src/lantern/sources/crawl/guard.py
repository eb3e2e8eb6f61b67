"""Refusing fetches to private, loopback, link-local and other non-public addresses.

Ads and pages are written by adversaries: an ``<img>`` or a redirect can point the crawler at a
router, a cloud metadata service (169.254.169.254) or a service on the investigator's own machine.
Every request the crawler makes, redirects and robots.txt included, passes through
:class:`AddressGuardMiddleware`, which resolves the host and refuses the request unless every address
is public or inside a network the site file explicitly allows (``crawl.allow_networks``, for tests
that serve a fixture site on 127.0.0.1).

Known limit: Scrapy resolves the name again when it connects, so a DNS answer that changes between
the two lookups (DNS rebinding) is not caught here; the lookups share Scrapy's DNS cache, which
narrows but does not close that window.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """CIDR strings from a site file; a bare address means that one address."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _kind(address: Address) -> str:
    for name in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return "non-public"


def address_problem(address: Address, allowed: tuple[Network, ...]) -> str | None:
    """Why an address may not be fetched, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return None
    if address.is_global and not address.is_multicast:
        return None
    return f"{address} is a {_kind(address)} address"


@lru_cache(maxsize=4096)
def _resolve(host: str, port: int) -> tuple[str, ...]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return tuple(dict.fromkeys(info[4][0] for info in infos))


def url_problem(url: str, allowed: tuple[Network, ...]) -> str | None:
    """Why the crawler must not fetch this URL (bad scheme, non-public address), or None.

    A name that does not resolve is not refused here: the download then fails with Scrapy's own DNS
    error, which the fetch log records.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} is not fetched"
    host = parts.hostname
    if not host:
        return "URL has no host"
    try:
        addresses: Iterable[str] = (str(ipaddress.ip_address(host)),)
    except ValueError:
        try:
            addresses = _resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        except (OSError, UnicodeError):
            return None
    for text in addresses:
        problem = address_problem(ipaddress.ip_address(text.split("%", 1)[0]), allowed)
        if problem:
            return f"refused {host}: {problem} (crawl.allow_networks does not include it)"
    return None
