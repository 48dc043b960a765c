"""A fixed-window rate limiter on the shared cache (Redis in production)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache


def _clean_ip(raw: str) -> str:
    raw = (raw or "").strip()
    if raw.startswith("[") and "]" in raw:  # "[2001:db8::1]:443"
        raw = raw[1 : raw.index("]")]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return ""


def client_ip(request) -> str:
    """The client's address as our rate limits and allauth's see it.

    By default the socket peer. Behind a load balancer, ``TRUSTED_PROXY_COUNT``
    proxies each append the address they saw to X-Forwarded-For, so the client
    is the entry that many places from the end; anything left of it is what the
    client itself sent and is never trusted. ``TRUSTED_CLIENT_IP_HEADER`` names a
    header a CDN sets instead (e.g. CF-Connecting-IP). A request that did not
    come through all the proxies falls back to the socket peer.
    """
    header = settings.TRUSTED_CLIENT_IP_HEADER
    if header:
        forwarded = _clean_ip(request.headers.get(header, ""))
    else:
        forwarded = ""
        count = settings.TRUSTED_PROXY_COUNT
        hops = [hop for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        if count > 0 and len(hops) >= count:
            forwarded = _clean_ip(hops[-count])
    return forwarded or _clean_ip(request.META.get("REMOTE_ADDR", "")) or "unknown"


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False when the caller is over ``limit`` in ``window`` seconds."""
    cache_key = f"rl:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        return True
    return count <= limit
