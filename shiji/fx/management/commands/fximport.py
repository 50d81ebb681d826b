"""``manage.py fximport FILE [--format csv|ecb] [--source NAME]``: import exchange rates from a file.

The whole file is one transaction: any bad row stops the import with a message naming the line
(CSV) or the currency and date (ECB), and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shiji.core.money import supported_currencies
from shiji.fx.rate_files import (
    FORMATS,
    MAX_FILE_BYTES,
    RateFileError,
    guess_format,
    parse_csv,
    parse_ecb,
    read_rate_file,
)
from shiji.fx.services import fx_rates_import

SOURCE_MAX_LENGTH = 64


class Command(BaseCommand):
    help = (
        "Import exchange rates from a CSV file (base,quote,rate[,as_of][,source]) or an ECB euro "
        f"reference-rate XML file (daily or history). Files over {MAX_FILE_BYTES // (1024 * 1024)} MB are refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV or ECB XML file")
        parser.add_argument(
            "--format", choices=FORMATS, default=None, help="csv or ecb (default: ecb for XML files, else csv)"
        )
        parser.add_argument(
            "--source", default=None, help='The rates\' source (default: "file:<file name>" for CSV, "ECB" for ECB)'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = read_rate_file(path)
            kind = options["format"] or guess_format(path, data)
            if kind == "ecb":
                source = options["source"] or "ECB"
                parsed = parse_ecb(data, source=source, currencies=supported_currencies())
            else:
                source = options["source"] or f"file:{path.name}"[:SOURCE_MAX_LENGTH]
                parsed = parse_csv(data, source=source)
            result = fx_rates_import(rows=parsed.rows)
        except RateFileError as exc:
            raise CommandError(f"{path.name}: {exc}; nothing was imported.") from exc
        skipped = parsed.skipped + result.unchanged
        details = []
        if parsed.unsupported:
            currencies = ", ".join(sorted(parsed.unsupported))
            details.append(f"{parsed.skipped} in currencies the platform does not trade ({currencies})")
        if result.unchanged:
            details.append(f"{result.unchanged} already recorded")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.imported} rate(s) from {path.name} ({kind}, source {source!r}); "
                f"skipped {skipped}{': ' + '; '.join(details) if details else ''}."
            )
        )
