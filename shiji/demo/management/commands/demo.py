from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from shiji.demo.guide import GUIDE
from shiji.demo.inline import demo_mail_dir
from shiji.demo.seed import DEMO_PASSWORD, PEOPLE, STAFF, seed_all
from shiji.demo.trade import DemoError
from shiji.ledger.check import ledger_check
from shiji.orders.models import Order


class Command(BaseCommand):
    help = (
        "Load idempotent demo data: people in Japan and China, staff for each role, listings with photos, "
        "orders in every state, disputes, reviews, messages, a report and a held payout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even with SHIJI_DEBUG=0 (the demo passwords are public)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo accounts with public passwords while SHIJI_DEBUG=0; "
                "use --force on a private machine."
            )
        try:
            seed_all()
        except DemoError as exc:
            raise CommandError(f"The demo could not be loaded: {exc}") from exc
        report = ledger_check()
        if not report.balanced or not report.escrow_matches_orders or not report.payouts_match:
            raise CommandError("The ledger check failed after seeding: " + "; ".join(report.problems))
        by_status = dict(Order.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
        self.stdout.write(
            "Orders: "
            + ", ".join(f"{status} {count}" for status, count in by_status.items())
            + f". Ledger check: balanced, {report.entries} journal entries."
        )
        mail_dir = demo_mail_dir()
        if mail_dir is not None:
            self.stdout.write(f"The e-mails of the demo's events are files in {mail_dir}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data is ready. Sign in at {settings.SHIJI_SITE_URL}/login/ with any of these "
                f"(password {DEMO_PASSWORD}):"
            )
        )
        for person in PEOPLE:
            self._account(person.email, f"{person.country}  level {person.level}")
        for role, email in STAFF:
            self._account(email, f"staff: {role.value}")

    def _account(self, email: str, about: str) -> None:
        self.stdout.write(f"  {email:34} {about}")
        for hint in GUIDE.get(email, ()):
            self.stdout.write(f"      - {hint}")
