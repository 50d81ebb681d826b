"""The test suite. The database follows ``DATABASE_URL`` (SQLite by default) and the cache
and channel layer follow ``REDIS_URL``, so the same suite runs on both stacks in CI."""

import os

os.environ.setdefault("SHIJI_SANDBOX_PAYMENT_SECRET", "test-payment-secret")
os.environ.setdefault("SHIJI_SANDBOX_CARRIER_SECRET", "test-carrier-secret")
os.environ.setdefault("SHIJI_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 32)

from typing import Any

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, CHANNEL_LAYERS, HUEY, REDIS_URL, VAR_DIR

DEBUG = False
SHIJI_SANDBOX = True
# Jobs run synchronously inside the test, right after commit (immediate mode).
HUEY = {**HUEY, "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Still Argon2 (what production uses), with cheaper parameters for speed.
PASSWORD_HASHERS = ["shiji.accounts.hashers.TestArgon2PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
PRIVATE_ROOT = VAR_DIR / "test-private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A file, not :memory:, so concurrency tests see real SQLite locking (WAL, BEGIN IMMEDIATE).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
# Threads in concurrency and WebSocket tests must not keep connections open past the test.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# pytest-xdist: each worker gets its own test database (pytest-django adds the suffix) and its own
# Redis database, because the cache's clear() between tests is FLUSHDB, which would empty the other
# worker's cache and channel layer mid-test. Worker gwN uses the configured db number minus N.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _xdist_worker.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    _db = int(_parts.path.lstrip("/") or 0)
    _worker_url = urlunsplit(_parts._replace(path=f"/{(_db - int(_xdist_worker[2:])) % 16}"))
    _layer: dict[str, Any] = dict(CHANNEL_LAYERS["default"])
    _layer["CONFIG"] = {**_layer["CONFIG"], "hosts": [_worker_url]}
    CHANNEL_LAYERS = {"default": _layer}
    CACHES = {"default": {**CACHES["default"], "LOCATION": _worker_url}}
