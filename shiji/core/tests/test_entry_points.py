"""The ASGI and WSGI entry points (config/asgi.py, config/wsgi.py) with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _conn_max_age(module: str, var_dir: Path) -> int:
    """CONN_MAX_AGE of every database once ``module`` is imported, in a fresh interpreter
    (settings are computed once per process) with production settings and 600 s configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHIJI_", "DJANGO_"))}
    env.update(
        SHIJI_VAR_DIR=str(var_dir),
        SHIJI_SECRET_KEY="x" * 60,
        SHIJI_CONN_MAX_AGE="600",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
    )
    code = (
        f"import {module}; from django.conf import settings; "
        "print(*{db['CONN_MAX_AGE'] for db in settings.DATABASES.values()})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("module", "expected"), [("config.asgi", 0), ("config.wsgi", 600)])
def test_persistent_connections_only_under_wsgi(module: str, expected: int, tmp_path: Path) -> None:
    """Under ASGI each request runs in its own context and would leave its "persistent"
    connection open until the database refuses new clients; WSGI workers reuse theirs."""
    assert _conn_max_age(module, tmp_path) == expected
