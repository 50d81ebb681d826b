"""Shared test fixtures. The same suite runs on SQLite and on PostgreSQL (+ Redis) in CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.cache import cache
from django.test import Client, TestCase

from shiji.core.translations import compile_catalogues


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogues()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.postgres`` tests run only when DATABASE_URL points at PostgreSQL."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_files(settings: LazySettings, tmp_path: Path) -> None:
    """Each test writes uploads to its own folders, so 'nothing stored' can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; start every test from zero."""
    cache.clear()
    yield
    cache.clear()


class CommitClient(Client):
    """A test client that runs on-commit callbacks (queued jobs, e-mails, pushes) when each
    request ends, as the outermost transaction of a real request would commit. Jobs then run
    synchronously (Huey immediate mode)."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client() -> CommitClient:
    return CommitClient()


class ApiClient:
    """A JSON client for /api/v1 with an optional bearer token."""

    def __init__(self, token: str | None = None, ip: str = "127.0.0.1") -> None:
        self.client = CommitClient(REMOTE_ADDR=ip)
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get("/api/v1" + path, data or {}, headers=self._headers(headers))

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            "/api/v1" + path,
            json if json is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post_multipart(self, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.post("/api/v1" + path, data, headers=self._headers(headers))

    def patch(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.patch(
            "/api/v1" + path, json, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.put("/api/v1" + path, json, content_type="application/json", headers=self._headers(headers))


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


@pytest.fixture
def api_as():  # type: ignore[no-untyped-def]
    """``api_as(user)`` → an ApiClient carrying a fresh token for ``user``."""
    from shiji.accounts.services import token_create

    def make(user: Any, ip: str = "127.0.0.1") -> ApiClient:
        return ApiClient(token=token_create(user=user), ip=ip)

    return make
