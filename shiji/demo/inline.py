"""Running the demo's jobs in this process, as they are scheduled.

The demo plays whole stories (pay, ship, scan, confirm), and each next step needs the job the
last one scheduled — the sandbox provider's and carrier's signed callbacks, refunds — to have
run. So while seeding, the job queue runs each job right after the commit that schedules it, as
the test suite's does, instead of leaving it for a worker; the sandbox callbacks are delivered in
this process even when ``SHIJI_SANDBOX_CALLBACK_URL`` points at a server (which may not be up
yet). The e-mails those jobs send go to files in ``EMAIL_FILE_PATH`` rather than flooding the
terminal when the console backend is configured (the demo addresses are not real ones anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings
from django.test.utils import override_settings
from huey.contrib.djhuey import HUEY

CONSOLE = "django.core.mail.backends.console.EmailBackend"
FILES = "django.core.mail.backends.filebased.EmailBackend"


def demo_mail_dir() -> Path | None:
    """Where the demo's e-mails are written, or None when they go where the settings say."""
    return Path(settings.EMAIL_FILE_PATH) if settings.EMAIL_BACKEND == CONSOLE else None


@contextmanager
def inline_jobs() -> Iterator[Path | None]:
    """Jobs run at commit inside this block; yields the directory e-mails are written to (if any)."""
    mail_dir = demo_mail_dir()
    was_immediate = HUEY.immediate
    log = logging.getLogger("huey")
    was_level = log.level
    with ExitStack() as stack:
        stack.enter_context(override_settings(SHIJI_SANDBOX_CALLBACK_URL=""))
        if mail_dir is not None:
            mail_dir.mkdir(parents=True, exist_ok=True)
            stack.enter_context(override_settings(EMAIL_BACKEND=FILES))
        HUEY.immediate = True
        log.setLevel(logging.WARNING)  # not a line per job; failures still show
        try:
            yield mail_dir
        finally:
            HUEY.immediate = was_immediate
            log.setLevel(was_level)
