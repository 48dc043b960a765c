"""A fixed-window rate limiter on the shared cache (Redis in production)."""

from __future__ import annotations

from django.core.cache import cache


def client_ip(request) -> str:
    # Behind a proxy, SECURE_PROXY_SSL_HEADER deployments should also pass the
    # client address in REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
