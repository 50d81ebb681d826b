from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shiji.core.translations import compile_catalogues


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo) with Babel; no system gettext needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        written = compile_catalogues(force=options["force"])
        self.stdout.write(f"{len(written)} catalogue(s) compiled.")
