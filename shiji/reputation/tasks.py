"""Timed jobs of reputation."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shiji.reputation import services


@db_periodic_task(crontab(minute="17"))
def reviews_reveal() -> int:
    """Hourly: reveal the sealed reviews whose 14-day window after completion has closed."""
    return services.reviews_reveal_due()
