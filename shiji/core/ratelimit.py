"""Fixed-window rate limits over the shared cache (Redis in production).

``SHIJI_RATE_LIMITS=off`` disables them for load tests; the login lockout is separate (axes)
and stays on either way.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from shiji.core.errors import RateLimited


def ratelimit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> None:
    """Count one hit for ``key`` in ``scope``; raise ``RateLimited`` past ``limit`` per window."""
    if not settings.SHIJI_RATE_LIMITS:
        return
    now = time.time()
    bucket = int(now // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    cache_key = f"rl:{scope}:{digest}:{bucket}"
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    if count > limit:
        retry_after = int(window_seconds - (now % window_seconds)) + 1
        raise RateLimited(_("Too many requests. Please wait and try again."), retry_after=retry_after)
