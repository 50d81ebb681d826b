"""``shiji recover [--grace SECONDS]``: after a crash, bring our books level with the payment
provider's and expire unpaid orders past their window (``shiji.payments.recovery``; the worker
also runs it every 10 minutes). Safe to run at any time, as often as you like."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shiji.payments.recovery import DEFAULT_GRACE, recover


class Command(BaseCommand):
    help = (
        "Book payments the provider captured but we did not record, hand over (or settle) refunds "
        "and payouts a crash interrupted, and expire unpaid orders past their window."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace",
            type=int,
            default=int(DEFAULT_GRACE.total_seconds()),
            help="Leave alone what is younger than this many seconds (callbacks and jobs still on their way)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["grace"] < 0:
            raise CommandError("--grace must be 0 or more seconds")
        report = recover(grace=timedelta(seconds=options["grace"]))
        for name, count in report.as_dict().items():
            self.stdout.write(f"{name}: {count}")
