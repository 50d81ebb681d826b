"""The Content-Security-Policy of every response (Django 5.2 has none built in).

Shiji's pages load scripts and styles only from this site (``web/shiji.css``, ``web/shiji.js``,
htmx from django-htmx's static files, the admin's and Swagger UI's bundled files): no inline
``<script>``, no ``on*=`` handlers, no ``style=`` attributes (a test scans every template so that
a new one cannot break the policy silently). So one policy fits every page:

- scripts, styles, fonts, frames' sources: this site only; images also ``data:`` (the admin's and
  Swagger UI's icons) and ``blob:`` (photo previews before upload);
- ``connect-src``: this site, plus its own WebSocket origin (``/ws/me/``; CSP level 3 browsers
  already count same-host ``ws:``/``wss:`` as 'self', older ones need it named);
- no plugins (``object-src 'none'``), no ``<base>`` (``base-uri 'none'``), forms post only here,
  and no page may be framed (``frame-ancestors 'none'``, beside ``X-Frame-Options: DENY``).

A response that already has a policy keeps it: file downloads set a stricter one
(``default-src 'none'; sandbox``, see ``shiji.core.downloads``). Nothing is exempt.

``SignedInNoStoreMiddleware``: what a signed-in person (session or bearer token) is shown is
never stored by the browser or a shared cache (``Cache-Control: private, no-store``), unless the
view chose a policy itself; after signing out, Back shows nothing from the session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

HEADER = "Content-Security-Policy"

DIRECTIVES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'",)),
    ("style-src", ("'self'",)),
    ("img-src", ("'self'", "data:", "blob:")),
    ("connect-src", ("'self'",)),
    ("object-src", ("'none'",)),
    ("base-uri", ("'none'",)),
    ("form-action", ("'self'",)),
    ("frame-ancestors", ("'none'",)),
)


def _websocket_origin(request: HttpRequest) -> str | None:
    """``wss://host`` over https, ``ws://host`` over http; ``None`` when the host is not allowed
    (the response is then Django's 400 for a bad Host header)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


def content_security_policy(request: HttpRequest) -> str:
    websocket = _websocket_origin(request)
    parts = []
    for name, sources in DIRECTIVES:
        if name == "connect-src" and websocket:
            sources = (*sources, websocket)
        parts.append(f"{name} {' '.join(sources)}")
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that has none yet (pages, API JSON, errors, static
    files, redirects). Placed right after ``SecurityMiddleware`` so that it sees them all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = content_security_policy(request)
        return response


class SignedInNoStoreMiddleware:
    """``Cache-Control: private, no-store`` (with ``Expires`` in the past) on every response to a
    signed-in request that has no ``Cache-Control`` of its own. After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated) or "authorization" in request.headers
        if signed_in and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
