from __future__ import annotations

from typing import Any

import uvicorn
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from shiji.core.translations import compile_catalogues


class Command(BaseCommand):
    help = "Serve pages, the API and WebSockets over ASGI (uvicorn), with static files and media."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="Worker processes (default 1)")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        compile_catalogues()
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Shiji is serving on http://{options['host']}:{options['port']}/ (Ctrl-C to stop)")
        uvicorn.run(
            "config.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            lifespan="off",
            log_level="info",
            proxy_headers=False,
        )
