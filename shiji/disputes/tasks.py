"""Timed jobs of disputes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shiji.disputes import services


@db_periodic_task(crontab(minute="*/10"))
def disputes_deadlines() -> int:
    """Every 10 minutes: sellers silent past the answer window lose (full refund); returns the
    seller did not confirm in time are refunded."""
    return services.disputes_run_deadlines()
