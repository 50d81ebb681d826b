"""Browser security headers on every kind of response, cookies and HSTS under the production
settings, a scan of every template for what the Content-Security-Policy would block, and user
files served so that a browser never runs them (docs/security.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from config import urls as site_urls
from shiji.accounts.tests.factories import PASSWORD, UserFactory, chinese_buyer
from shiji.core.tests import images
from shiji.disputes.tests.helpers import shipped_order
from shiji.orders.tests.factories import listing_jp, order_placed, pay, seller_jp, ship
from shiji.web.security import content_security_policy

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
SHIJI = ROOT / "shiji"

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'", "ws://testserver"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
FILE_POLICY = "default-src 'none'; sandbox"


def policy_of(header: str) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def assert_browser_headers(response: Any, policy: dict[str, list[str]] = POLICY, *, framed: bool = True) -> None:
    """``framed``: the response also says ``X-Frame-Options: DENY`` (static files answered by
    WhiteNoise do not; ``frame-ancestors 'none'`` covers them)."""
    assert policy_of(response["Content-Security-Policy"]) == policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if framed:
        assert response["X-Frame-Options"] == "DENY"


# --- every kind of response ------------------------------------------------------------------


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# A URLconf with one view that fails, to see the real 500 page (handlers as in config.urls).
urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler500 = "shiji.web.views.server_error"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages() -> dict[str, Callable[[], Any]]:
    """Each kind of response a browser gets, as (name → a call that fetches it)."""
    seller = seller_jp()
    listing = listing_jp(seller)
    buyer = chinese_buyer()
    staff = UserFactory(roles=["moderator"])
    anonymous = Client()
    return {
        "home": lambda: anonymous.get("/"),
        "listing": lambda: anonymous.get(f"/listings/{listing.pk}/"),
        "checkout": lambda: _signed_in(buyer).get(f"/listings/{listing.pk}/buy/"),
        "staff": lambda: _signed_in(staff).get("/staff/"),
        "admin login": lambda: anonymous.get("/admin/login/"),
        "api docs": lambda: anonymous.get("/api/v1/docs"),
        "redirect to sign in": lambda: anonymous.get("/my/orders/"),
        "404 page": lambda: anonymous.get("/no-such-page/"),
        "403 page": lambda: _signed_in(buyer).get("/staff/"),
        "403 csrf": lambda: Client(enforce_csrf_checks=True).post("/language/", {"language": "ja"}),
        "api json": lambda: anonymous.get("/api/v1/health"),
        "api 401": lambda: anonymous.get("/api/v1/me"),
        "api 404": lambda: anonymous.get("/api/v1/no-such-endpoint"),
        "static file": lambda: anonymous.get("/static/web/shiji.css"),
    }


EXPECTED_STATUS = {
    "redirect to sign in": 302,
    "404 page": 404,
    "403 page": 403,
    "403 csrf": 403,
    "api 401": 401,
    "api 404": 404,
}


def test_every_kind_of_response_carries_the_policy_and_the_browser_headers():
    for name, fetch in _pages().items():
        response = fetch()
        assert response.status_code == EXPECTED_STATUS.get(name, 200), (name, response.status_code)
        assert_browser_headers(response, framed=name != "static file")
        if name != "static file":  # public static files may be read cross-origin; nothing else
            assert "Access-Control-Allow-Origin" not in response, name
        content_type = response.get("Content-Type", "").replace('"', "")
        if content_type.startswith("text/"):  # JSON is UTF-8 by definition (RFC 8259)
            assert content_type.endswith("charset=utf-8"), (name, content_type)
        else:
            assert content_type.startswith("application/json") or response.status_code == 302, (name, content_type)


@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_carries_them_too():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_browser_headers(response)
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "RuntimeError" not in page and "a bug" not in page  # nothing of the failure leaks


def test_what_a_signed_in_person_sees_is_never_stored_by_a_cache(api_as):
    buyer = chinese_buyer()
    for response in (
        _signed_in(buyer).get("/my/orders/"),
        _signed_in(buyer).get("/"),
        api_as(buyer).get("/me"),
    ):
        assert response.status_code == 200
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives
    assert "Cache-Control" not in Client().get("/")  # the public market may be cached
    photo_policy = _signed_in(buyer).get(_media("listings/l1/p.jpg", images.jpeg_with_gps()))["Cache-Control"]
    assert photo_policy == "public, max-age=86400"  # a view's own policy is kept


def test_the_websocket_origin_follows_the_scheme_and_a_bad_host_gets_a_policy_without_it(rf):
    secure = rf.get("/", secure=True)
    assert "connect-src 'self' wss://testserver;" in content_security_policy(secure)
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert policy_of(response["Content-Security-Policy"])["connect-src"] == ["'self'"]


# --- production settings: cookies and HSTS ---------------------------------------------------

SECURITY_SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_NAME",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "MIDDLEWARE",
)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The security settings that ``config.settings.prod`` computes for a deploy behind TLS, read
    in a fresh interpreter (settings are computed once per process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHIJI_", "DJANGO_"))}
    env.update(
        SHIJI_VAR_DIR=str(tmp_path_factory.mktemp("prod-var")),
        SHIJI_HTTPS="1",
        SHIJI_SECRET_KEY="x" * 60,
        DJANGO_SETTINGS_MODULE="config.settings.prod",
    )
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_production_settings_behind_tls_are_strict(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert production[f"{cookie}_COOKIE_NAME"].startswith("__Host-")
        assert production[f"{cookie}_COOKIE_SECURE"] is True
        assert production[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert production[f"{cookie}_COOKIE_SAMESITE"] == "Lax"
    middleware = production["MIDDLEWARE"]
    assert middleware[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "shiji.web.security.ContentSecurityPolicyMiddleware",
    ]


def _cookie_attributes(morsel: Any) -> dict[str, Any]:
    return {
        "secure": bool(morsel["secure"]),
        "httponly": bool(morsel["httponly"]),
        "samesite": morsel["samesite"],
        "path": morsel["path"],
        "domain": morsel["domain"],
    }


def test_with_production_settings_cookies_are_host_only_secure_and_hsts_is_sent(production):
    overrides = {name: value for name, value in production.items() if name not in ("DEBUG", "MIDDLEWARE")}
    user = UserFactory()
    with override_settings(**overrides):
        browser = Client()
        plain = browser.get("/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")

        page = browser.get("/login/", secure=True)
        signed_in = browser.post("/login/", {"email": user.email, "password": PASSWORD}, secure=True)
        switched = browser.post("/language/", {"language": "ja", "next": "/"}, secure=True)

    assert page.status_code == 200 and signed_in.status_code == 302 and switched.status_code == 302
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_browser_headers(page, {**POLICY, "connect-src": ["'self'", "wss://testserver"]})
    wanted = {"secure": True, "httponly": True, "samesite": "Lax", "path": "/", "domain": ""}
    assert _cookie_attributes(page.cookies["__Host-csrftoken"]) == wanted
    assert _cookie_attributes(signed_in.cookies["__Host-sessionid"]) == wanted
    assert _cookie_attributes(switched.cookies["__Host-shiji_language"]) == wanted


# --- templates: nothing the policy would block -----------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^<>]*?\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^<>]*?\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
BLOCKED = {
    "inline <script>": INLINE_SCRIPT,
    "on* handler": EVENT_HANDLER,
    "style attribute": STYLE_ATTRIBUTE,
    "<style> element": STYLE_ELEMENT,
    "javascript: URL": JAVASCRIPT_URL,
}


def blocked_by_policy(text: str) -> list[str]:
    return [name for name, pattern in BLOCKED.items() if pattern.search(text)]


def test_the_scan_finds_what_the_policy_blocks():
    assert blocked_by_policy('<script src="/static/web/shiji.js" defer></script>') == []
    assert blocked_by_policy('<p class="x" data-online="1">') == []
    assert blocked_by_policy("<script>alert(1)</script>") == ["inline <script>"]
    assert blocked_by_policy('<script type="module">') == ["inline <script>"]
    assert blocked_by_policy('<button type="submit"\n  onclick="go()">') == ["on* handler"]
    assert blocked_by_policy('<div class="a" style="color: red">') == ["style attribute"]
    assert blocked_by_policy("<style>p {}</style>") == ["<style> element"]
    assert blocked_by_policy('<a href="javascript:go()">') == ["javascript: URL"]


def test_no_template_has_inline_script_handlers_or_styles():
    templates = sorted(SHIJI.rglob("templates/**/*.html"))
    assert len(templates) > 40  # the scan sees the templates
    found = {str(t.relative_to(ROOT)): blocked_by_policy(t.read_text()) for t in templates}
    assert {name: problems for name, problems in found.items() if problems} == {}


# --- user files -------------------------------------------------------------------------------


def _media(name: str, content: bytes) -> str:
    target = Path(settings.MEDIA_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return f"/media/{name}"


def _download_headers(response: Any) -> tuple[str, str]:
    assert response.status_code == 200, response.status_code
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_POLICY
    return response["Content-Type"], response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "served_as", "disposition"),
    [
        ("listings/l1/p1.jpg", images.jpeg_with_gps(), "image/jpeg", 'inline; filename="p1.jpg"'),
        ("listings/l1/p2.png", images.png(), "image/png", 'inline; filename="p2.png"'),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None, "x.svg"),
        ("x.html", b"<html><script>alert(1)</script></html>", None, "x.html"),
        ("x.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>1</script></html>', None, "x.xhtml"),
        ("notes.txt", b"<script>alert(1)</script>", None, "notes.txt"),
    ],
)
def test_public_media_are_images_inline_and_everything_else_a_download(client, name, content, served_as, disposition):
    content_type, sent_disposition = _download_headers(client.get(_media(name, content)))
    if served_as:
        assert (content_type, sent_disposition) == (served_as, disposition)
    else:  # never something a browser renders as a page
        assert (content_type, sent_disposition) == ("application/octet-stream", f'attachment; filename="{disposition}"')


def test_media_folders_are_not_listed(client):
    _media("listings/l1/p1.jpg", images.jpeg_with_gps())
    assert client.get("/media/listings/l1/").status_code == 404
    assert client.get("/media/listings/").status_code == 404


def test_html_named_as_a_photo_is_still_an_image_the_browser_may_not_sniff(client):
    response = client.get(_media("listings/l1/fake.jpg", b"<html><script>alert(1)</script></html>"))
    content_type, disposition = _download_headers(response)
    assert content_type == "image/jpeg" and disposition == 'inline; filename="fake.jpg"'
    assert response["Cache-Control"] == "public, max-age=86400"


def test_photos_uploaded_through_the_api_are_served_inline_with_the_headers(api_as, client):
    seller = seller_jp()
    listing = listing_jp(seller)
    upload = api_as(seller).post_multipart(
        f"/listings/{listing.pk}/photos", {"image": SimpleUploadedFile("a.png", images.png(), "image/png")}
    )
    assert upload.status_code == 201, upload.content
    content_type, disposition = _download_headers(client.get(upload.json()["url"]))
    assert content_type == "image/jpeg" and disposition.startswith("inline; filename=")


def _private(response: Any) -> tuple[str, str]:
    headers = _download_headers(response)
    assert response["Cache-Control"] == "private, no-store"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    return headers


def test_private_files_are_served_with_the_headers(api_as):
    # An identity document, to its reviewer (API and staff page).
    applicant, reviewer = UserFactory(), UserFactory(roles=["identity_reviewer"])
    submitted = api_as(applicant).post_multipart(
        "/me/verification",
        {
            "legal_name": "Yamada Haruka",
            "document_type": "passport",
            "document_number": "E12-345-6789",
            "document_image": SimpleUploadedFile("doc.jpg", images.jpeg_with_gps(), "image/jpeg"),
        },
    )
    assert submitted.status_code == 202, submitted.content
    verification = submitted.json()["id"]
    document = api_as(reviewer).get(f"/staff/verifications/{verification}/document")
    assert _private(document) == ("image/jpeg", f'inline; filename="{verification}.jpg"')
    page = _signed_in(reviewer).get(f"/staff/identity/{verification}/document")
    assert _private(page) == ("image/jpeg", f'inline; filename="{verification}.jpg"')

    # A shipping label, to its seller: always a download.
    order = pay(order_placed(buyer=chinese_buyer(), listing=listing_jp(seller_jp())))
    shipment = ship(order)
    label = api_as(order.seller).get(f"/orders/{order.pk}/label")
    assert _private(label) == ("image/png", f'attachment; filename="label-{shipment.tracking_number}.png"')

    # Dispute evidence, to its uploader.
    disputed = shipped_order()
    buyer = api_as(disputed.buyer)
    dispute = buyer.post(f"/orders/{disputed.pk}/disputes", {"reason": "damaged", "description": "Crushed."})
    assert dispute.status_code == 201, dispute.content
    evidence = buyer.post_multipart(
        f"/disputes/{dispute.json()['id']}/evidence",
        {"image": SimpleUploadedFile("dent.jpg", images.jpeg_with_gps(), "image/jpeg")},
    )
    assert evidence.status_code == 201, evidence.content
    photo = buyer.get(evidence.json()["url"].removeprefix("/api/v1"))
    assert _private(photo) == ("image/jpeg", f'inline; filename="{evidence.json()["id"]}.jpg"')
