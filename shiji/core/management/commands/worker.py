from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job worker (Huey consumer; periodic jobs included)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey")
