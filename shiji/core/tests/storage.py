"""Upload folders of a test's own (public media and private files), as settings to apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def file_settings(root: Path) -> dict[str, Any]:
    """MEDIA_ROOT, PRIVATE_ROOT and STORAGES pointing under ``root``."""
    return {
        "MEDIA_ROOT": root / "media",
        "PRIVATE_ROOT": root / "private",
        "STORAGES": {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(root / "media")},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(root / "private"), "base_url": None},
            },
        },
    }
