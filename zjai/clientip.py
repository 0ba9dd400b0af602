"""The address of the client behind our proxies, for the sign-in lock (django-axes).

Behind nginx every request comes from nginx's address (REMOTE_ADDR is 127.0.0.1 on one host),
so a lock keyed on it would lock a user name for everybody. nginx appends the address it saw
to X-Forwarded-For (`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`); whatever a
client puts there itself stays to the left of it. So the header is read from the right: each
hop added by a proxy we trust (settings.TRUSTED_PROXIES) is skipped, and the first address not
ours is the client. A request that does not come from a trusted proxy is keyed on REMOTE_ADDR,
whatever it claims in the header.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from django.conf import settings

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _parse(value: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:192.0.2.1) is that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: Any) -> str | None:
    """The client's address: REMOTE_ADDR, or, when a trusted proxy sent the request, the
    right-most address of X-Forwarded-For that no trusted proxy added (see the module's doc)."""
    remote = request.META.get("REMOTE_ADDR")
    address = _parse(remote) if remote else None
    if address is None:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    while _trusted(address) and hops:
        hop = _parse(hops.pop())
        if hop is None:  # not an address: our proxy would never write that; stop at it
            break
        address = hop
    return str(address)
