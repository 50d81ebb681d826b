from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shiji.accounts.roles import Role
from shiji.accounts.services import staff_create
from shiji.core.errors import ShijiError


class Command(BaseCommand):
    help = "Create (or update) a staff account with a role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--name", default=None, help="Display name (default: the e-mail's local part)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = staff_create(
                email=options["email"], password=options["password"], role=options["role"], display_name=options["name"]
            )
        except ShijiError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
            raise CommandError(f"{exc.message}{' (' + details + ')' if details else ''}") from exc
        self.stdout.write(self.style.SUCCESS(f"Staff account {user.email} has the role {options['role']}."))
