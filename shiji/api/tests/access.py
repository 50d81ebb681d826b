"""Rows of the access-control matrix and how one is played: the request a persona sends (a
bearer token for the API, the browser session for pages) and what its answer means."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.messages import ERROR, get_messages
from django.forms import BaseForm

from conftest import CommitClient
from shiji.api.tests.access_world import PERSONAS, World
from shiji.core.ids import new_id

# What a page answers: an exact status, or one of these, which say more than a status can.
OK = "ok"  # 200 (GET), or a redirect after the action succeeded (no error message flashed)
REFUSED = "refused"  # access granted, the service said no: an error message or a form error
LOGIN = "login"  # a redirect to the login page

API_PREFIX = "/api/v1"
PARAMETER = re.compile(r"{(\w+)}|<(?:\w+:)?(\w+)>")

Body = Mapping[str, Any] | Callable[[World], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Row:
    """One endpoint (an OpenAPI operation, or a page route) hit with given objects."""

    method: str
    path: str  # ``/api/v1/orders/{order_id}`` or ``orders/<str:order_id>/``
    objects: Mapping[str, str]  # path parameter → World.ids key, or "=literal"
    expect: Mapping[str, int | str]  # persona → answer
    default: int | str = 404  # every signed-in persona ``expect`` does not name
    anon: int | str = 401
    body: Body = None
    multipart: bool = False
    query: Mapping[str, str] = field(default_factory=dict)  # like ``objects``
    sees: tuple[str, tuple[str, ...]] | None = None  # (World.ids key, the personas whose answer has it)
    personas: tuple[str, ...] = PERSONAS
    headers: Mapping[str, str] = field(default_factory=dict)
    keep: tuple[str, ...] = ()  # parameters the "unknown id" comparison leaves real (the caller's own)
    page: bool = False
    staff: bool = False  # a staff queue or action: the role is checked before the id is looked up

    @property
    def label(self) -> str:
        named = [v.lstrip("=") for v in (*self.objects.values(), *self.query.values())]
        return f"{self.method} {self.path}" + (f" [{', '.join(named)}]" if named else "")

    def expected(self, persona: str) -> int | str:
        if persona == "anon":
            return self.anon
        return self.expect.get(persona, self.default)


def _row(operation: str, objects: tuple[str, ...], *, prefix: str = "", **options: Any) -> Row:
    """``operation`` is "METHOD path"; ``objects`` name what fills its parameters, in order;
    persona names among ``options`` say what each gets."""
    method, path = operation.split(" ", 1)
    names = [a or b for a, b in PARAMETER.findall(path)]
    assert len(names) == len(objects), f"{operation}: one object per parameter {names}"
    expect = {p: options.pop(p) for p in PERSONAS if p in options and p != "anon"} | options.pop("expect", {})
    return Row(method, prefix + path, dict(zip(names, objects, strict=True)), expect, **options)


def api(operation: str, *objects: str, **options: Any) -> Row:
    """A user's object: the personas named get what they say, every other signed-in one 404."""
    return _row(operation, objects, prefix=API_PREFIX, **options)


def staff_api(operation: str, roles: tuple[str, ...], *objects: str, ok: int = 200, **options: Any) -> Row:
    """A staff queue or action: ``roles`` get ``ok``, every other signed-in persona 403."""
    options["expect"] = dict.fromkeys(roles, ok) | options.get("expect", {})
    return _row(operation, objects, prefix=API_PREFIX, default=403, staff=True, **options)


def page(operation: str, *objects: str, **options: Any) -> Row:
    options.setdefault("anon", LOGIN)
    return _row(operation, objects, page=True, **options)


def staff_page(operation: str, roles: tuple[str, ...], *objects: str, **options: Any) -> Row:
    options["expect"] = dict.fromkeys(roles, OK) | options.get("expect", {})
    return _row(operation, objects, default=403, anon=LOGIN, page=True, staff=True, **options)


# --- playing a row ----------------------------------------------------------------------------


def fake_like(value: str) -> str:
    """An id of the same kind (prefix) that names nothing."""
    prefix, sep, _rest = value.partition("_")
    return new_id(prefix) if sep and re.fullmatch(r"[a-z]{2,5}", prefix) else value + "X"


def _resolve(world: World, key: str) -> str:
    return key[1:] if key.startswith("=") else world.ids[key]


def url(world: World, row: Row, *, fake: bool = False) -> str:
    """The row's URL; ``fake``: its ids swapped for ids that name nothing (but ``keep``)."""
    params = {name: _resolve(world, key) for name, key in row.objects.items()}
    if fake:
        real = {name for name, key in row.objects.items() if key.startswith("=") or name in row.keep}
        params = {name: value if name in real else fake_like(value) for name, value in params.items()}
    path = PARAMETER.sub(lambda m: params[m.group(1) or m.group(2)], row.path)
    if row.page:
        path = "/" + path
    if row.query:
        path += "?" + urlencode({name: _resolve(world, key) for name, key in row.query.items()})
    return path


def client_for(world: World, persona: str, *, session: bool) -> CommitClient:
    client = CommitClient()
    if persona != "anon" and session:
        client.force_login(world.user(persona))
    return client


def send(world: World, row: Row, persona: str, *, fake: bool = False, session: bool | None = None) -> Any:
    """``persona`` plays the row: over its session for pages (or ``session``), else its token."""
    use_session = row.page if session is None else session
    client = client_for(world, persona, session=use_session)
    headers = dict(row.headers)
    if persona != "anon" and not use_session:
        headers["Authorization"] = f"Bearer {world.tokens[persona]}"
    body = row.body(world) if callable(row.body) else row.body
    target = url(world, row, fake=fake)
    method = row.method.lower()
    if method == "get":
        return client.get(target, headers=headers)
    if row.multipart or row.page:
        return getattr(client, method)(target, dict(body or {}), headers=headers)
    return getattr(client, method)(target, json.dumps(body or {}), content_type="application/json", headers=headers)


def error_code(response: Any) -> str | None:
    try:
        return str(json.loads(response.content)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def contains(data: Any, value: str) -> bool:
    """``value`` is one of the values anywhere in a JSON document."""
    if isinstance(data, dict):
        return any(contains(v, value) for v in data.values())
    if isinstance(data, list):
        return any(contains(v, value) for v in data)
    return bool(data == value)


def flashed_errors(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= ERROR]


def refused(response: Any) -> bool:
    """An error message was flashed, or the page came back with a form's errors."""
    if flashed_errors(response):
        return True
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                return True
    return False


def describe(response: Any) -> str:
    return f"{response.status_code} {response.content[:300]!r}"
