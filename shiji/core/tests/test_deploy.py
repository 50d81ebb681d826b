"""Operating checks: deploy settings, migrations, and a real server over plain HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHIJI_", "DJANGO_"))}
    env.update(
        {
            "SHIJI_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def _shiji(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shiji.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_check_deploy_is_clean_with_https(tmp_path):
    result = _shiji(
        "check", "--deploy", "--fail-level", "WARNING", env=_env(tmp_path, SHIJI_DEBUG="0", SHIJI_HTTPS="1")
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_refuses_to_run_in_production_mode(tmp_path):
    env = _env(tmp_path, SHIJI_DEBUG="0")
    assert _shiji("migrate", "-v0", env=env).returncode == 0
    result = _shiji("demo", env=env)
    assert result.returncode != 0
    assert "SHIJI_DEBUG" in result.stderr


def test_createstaff_reports_bad_input_with_a_nonzero_status(tmp_path):
    env = _env(tmp_path, SHIJI_DEBUG="0")
    assert _shiji("migrate", "-v0", env=env).returncode == 0
    weak = _shiji("createstaff", "--email", "boss@example.test", "--password", "123", "--role", "finance", env=env)
    assert weak.returncode != 0 and "password" in weak.stderr.lower()
    role = _shiji("createstaff", "--email", "boss@example.test", "--password", "x" * 12, "--role", "king", env=env)
    assert role.returncode != 0
    ok = _shiji(
        "createstaff", "--email", "boss@example.test", "--password", "finance-pass-2026", "--role", "finance", env=env
    )
    assert ok.returncode == 0, ok.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_production_mode_serves_pages_api_and_static_over_plain_http(tmp_path):
    env = _env(tmp_path, SHIJI_DEBUG="0")
    assert _shiji("migrate", "-v0", env=env).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "shiji.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # collectstatic (Brotli too, when installed) on a busy machine
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/health", timeout=2)  # noqa: S310 - loopback only
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5) as response:  # noqa: S310
            assert response.status == 200
        request = urllib.request.Request(base + "/", headers={"Accept-Language": "ja"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            html = response.read().decode()
            assert '<html lang="ja">' in html
            links = (part.split('"')[0] for part in html.split('href="') if part.startswith("/static/"))
            css = next(link for link in links if link.endswith(".css"))
        with urllib.request.urlopen(base + css, timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert "text/css" in response.headers["Content-Type"]
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
