from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shiji.demo.seed import DEMO_PASSWORD, PEOPLE, STAFF, seed_all


class Command(BaseCommand):
    help = "Load idempotent demo data (people in Japan and China, staff for each role)."

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
        seed_all()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready. Sign in with any of these (password {DEMO_PASSWORD}):")
        )
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:32} {person.country}  level {person.level}")
        for role, email in STAFF:
            self.stdout.write(f"  {email:32} staff: {role.value}")
