import pytest

from shiji.core.errors import RateLimited
from shiji.core.ratelimit import ratelimit_hit


def test_limit_allows_up_to_the_limit_then_refuses():
    for _ in range(3):
        ratelimit_hit(scope="t", key="k", limit=3, window_seconds=60)
    with pytest.raises(RateLimited) as exc:
        ratelimit_hit(scope="t", key="k", limit=3, window_seconds=60)
    assert exc.value.status == 429
    assert exc.value.retry_after and 0 < exc.value.retry_after <= 61
    ratelimit_hit(scope="t", key="other", limit=3, window_seconds=60)  # keys are separate


def test_rate_limits_can_be_switched_off(settings):
    settings.SHIJI_RATE_LIMITS = False
    for _ in range(10):
        ratelimit_hit(scope="t", key="k", limit=1, window_seconds=60)
