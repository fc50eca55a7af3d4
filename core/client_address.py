"""The address a request came from, behind the reverse proxies a deployment says it has.
Every rate limit (allauth's login, sign-up and reset limits, certificate lookups) counts
this address, so that behind a proxy each visitor has their own bucket instead of sharing
the proxy's."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:  # [v6]:port
        address = address[1 : address.index("]")]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """With TRUSTED_PROXY_COUNT = n proxies in front, each appends the address it received
    the request from to X-Forwarded-For, so the n-th entry from the right is the one our
    outermost proxy saw: the client. Entries further left are the client's own claims and
    never trusted. Without proxies, or when the header is shorter than it must be (the
    request bypassed the proxy), the connecting address counts."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote


def rate_limit_key(request: HttpRequest) -> str:
    """The client address as rate limits count it: an IPv6 client is its /64 network, as
    one home connection gets a whole /64 (allauth does the same)."""
    address = ipaddress.ip_address(client_address(request))
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)
