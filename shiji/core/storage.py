"""A storage for model fields that always writes to the *current* ``storages["private"]``.

A ``FileField(storage=...)`` keeps the storage object it was built with; this one looks the
private storage up on every call instead, so it follows ``STORAGES`` as configured now (tests
give each test its own folders). Files here are never served publicly: they are read through
views that check who asks (identity documents, shipping labels).
"""

from __future__ import annotations

from os import PathLike
from typing import IO, Any

from django.core.files.storage import Storage, storages


class PrivateStorage(Storage):
    @staticmethod
    def _target() -> Storage:
        return storages["private"]

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        return self._target().save(name, content, max_length=max_length)

    def open(self, name: str, mode: str = "rb") -> Any:
        return self._target().open(name, mode)

    def _open(self, name: str, mode: str = "rb") -> IO[Any]:  # pragma: no cover - open() delegates
        return self._target().open(name, mode)

    def delete(self, name: str) -> None:
        self._target().delete(name)

    def exists(self, name: str) -> bool:
        return self._target().exists(name)

    def size(self, name: str) -> int:
        return self._target().size(name)

    def path(self, name: str) -> str:
        return self._target().path(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self._target().listdir(path)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no public URL; serve them through a view that checks access")

    def generate_filename(self, filename: str | PathLike[str]) -> str:
        return self._target().generate_filename(filename)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self._target().get_available_name(name, max_length=max_length)


def private_storage() -> Storage:
    return PrivateStorage()
