"""Background jobs of core: thin, safe to run twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shiji.core.idempotency import idempotency_purge


@db_periodic_task(crontab(minute="0"))
def idempotency_keys_purge() -> int:
    """Hourly: forget the Idempotency-Keys older than SHIJI_IDEMPOTENCY_TTL_HOURS."""
    return idempotency_purge()
