"""Forwarding headers trusted only from the configured proxies (``PANHUO_TRUSTED_PROXIES``).

Behind a TLS-terminating reverse proxy every request reaches the application from the proxy's
address over plain HTTP. The proxy says who the client was (``X-Forwarded-For``) and how it
connected (``X-Forwarded-Proto``). Those headers are believed only when the request comes
from one of the trusted proxies (an address or a network): then the client's address becomes
``REMOTE_ADDR`` (what the sign-in throttle and the audit log see) and the scheme
``wsgi.url_scheme`` (so an HTTPS request is secure: no redirect loop, HSTS sent). From anyone
else the headers are removed, so a client cannot forge either.

``X-Forwarded-For`` is read from the right: each proxy appends the address it saw, so the
rightmost entry not itself a trusted proxy is the client (entries further left were written
by the client and may be forged).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

FORWARDING = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_BY", "HTTP_FORWARDED")  # fmt: skip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Iterable[str]) -> list[Network]:
    """Addresses or networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``); ValueError names a bad
    one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return networks


def _is_trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_of(remote: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client's address: from ``remote`` (a trusted proxy) leftwards through the hops of
    ``X-Forwarded-For`` while each is itself a trusted proxy."""
    client = remote
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop.strip("[]"))
        except ValueError:
            break  # not an address: nothing further left can be believed
        client = hop.strip("[]")
        if not _is_trusted(client, networks):
            break
    return client


def behind_proxies(app: Callable, proxies: Iterable[str]) -> Callable:
    """``app`` with forwarding headers applied from the trusted ``proxies`` and removed from
    everyone else."""
    networks = parse_proxies(proxies)

    def application(environ: dict[str, Any], start_response: Callable):
        remote = environ.get("REMOTE_ADDR", "")
        if networks and _is_trusted(remote, networks):
            forwarded_for = environ.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded_for:
                client = client_of(remote, forwarded_for, networks)
                environ["REMOTE_ADDR"] = client
                environ["HTTP_X_FORWARDED_FOR"] = client
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
                environ["HTTP_X_FORWARDED_PROTO"] = proto
        else:
            for key in FORWARDING:
                environ.pop(key, None)
        return app(environ, start_response)

    return application
