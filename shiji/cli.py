"""The ``shiji`` command: Django's manage.py with Shiji's defaults.

shiji serve --host 127.0.0.1 --port 8000
shiji migrate | demo | worker | recover | createstaff --email E --password P --role R | check ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shiji", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
