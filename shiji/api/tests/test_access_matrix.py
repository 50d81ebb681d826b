"""The access-control matrix (issue 8): every endpoint × every persona.

Each API operation of ``shiji.api.main.api`` and each page route of the URL resolver has a row
here; a new one without a row fails ``test_every_api_operation_is_in_the_matrix`` or
``test_every_page_route_is_in_the_matrix`` ("add it to the matrix"). A row names the objects it
hits (``access_world``, built once per module through the real services) and what each persona
gets (``access.Row``):

- the owner, or both parties, a success — a check that refuses everybody cannot pass;
- another signed-in user **404** ``not_found``, word for word what an id naming nothing gets
  (existence is not leaked), with a bearer token and with the browser session;
- no credentials: 401 ``unauthorized`` (API), a redirect to the login page (pages);
- each staff role: its own queues; 403 ``forbidden`` on every other role's, checked before the
  id is looked up; 404 on users' private objects its role does not cover.

API.md: "Missing or bad token → 401. Authenticated but not allowed → 403. Someone else's private
object → 404 (do not reveal that it exists)."
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import CommitClient
from shiji.api.main import api as ninja_api
from shiji.api.tests.access import (
    LOGIN,
    OK,
    REFUSED,
    Row,
    api,
    client_for,
    contains,
    describe,
    error_code,
    flashed_errors,
    page,
    refused,
    send,
    staff_api,
    staff_page,
)
from shiji.api.tests.access_world import STAFF, World, world_build
from shiji.core.tests import images
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry
from shiji.orders.models import Order

# Who may reach what is decided in Python, the same on both databases: CI runs it in the SQLite pass.
pytestmark = [pytest.mark.django_db, pytest.mark.single_pass]

ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found"}
PARTIES = {"buyer": 200, "seller": 200}
ORDER_STAFF = ("arbitrator", "finance", "admin")  # they read any order (orders.md)
ARBITERS = ("arbitrator", "admin")  # they read disputes and order threads (disputes.md, messaging.md)
READ_ORDER = PARTIES | dict.fromkeys(ORDER_STAFF, 200)
READ_DISPUTE = PARTIES | dict.fromkeys(ARBITERS, 200)
NO_ORDER_STAFF = dict.fromkeys(ORDER_STAFF, 403)  # they see the order; acting on it is not theirs
NO_ARBITERS = dict.fromkeys(ARBITERS, 403)
IDENTITY, MODERATION, FINANCE = ("identity_reviewer", "admin"), ("moderator", "admin"), ("finance", "admin")
CNY_10 = {"amount": "10.00", "currency": "CNY"}
TEXT = {"text": "Thank you, that helps."}
RETURN = {"carrier": "JP Post", "tracking_number": "RR2JP"}
ORDERS_KEY = {"Idempotency-Key": "matrix-order"}
WRITE_DISPUTE = dict.fromkeys(READ_DISPUTE, 201)
JPY_1000 = {"amount": "1000", "currency": "JPY"}
REASON = {"reason": "Checked by hand."}
DISMISS, DOWN = {"action": "dismiss"}, {"action": "down"}
# a risk decision at another role's point does not exist for that role: 404, as an unknown id
NOT_FINANCE, NOT_MODERATOR = {"finance": 404}, {"moderator": 404}


def _image(world: World) -> dict[str, Any]:
    return {"image": SimpleUploadedFile("p.png", images.png(mode="RGB"), content_type="image/png")}


def _document(world: World) -> dict[str, Any]:
    image = SimpleUploadedFile("d.jpg", images.jpeg_with_gps(), content_type="image/jpeg")
    return {"legal_name": "Li Wei", "document_type": "passport", "document_number": "G1234567", "document_image": image}


def _photo_order(world: World) -> dict[str, Any]:
    return {"photo_ids": [world.ids["draft_photo_2"], world.ids["draft_photo"]]}


def _ship(world: World) -> dict[str, Any]:
    return {"carrier_service": Order.objects.get(pk=world.ids["order_paid"]).carrier_service}


def _listing(world: World) -> dict[str, Any]:
    from shiji.catalog.tests.factories import listing_data

    return listing_data()


def _quote(listing: str) -> Any:
    from shiji.shipping.tests.factories import SHIP_TO_CN

    return lambda world: {"listing": world.ids[listing], "quantity": 1, "ship_to": SHIP_TO_CN}


def _report_message(world: World) -> dict[str, Any]:
    return {"target_type": "message", "target_id": world.ids["message"], "reason": "spam", "details": ""}


# fmt: off
API_ROWS: list[Row] = [
    # catalog: a draft is its seller's alone; an active listing is public
    api("GET /listings/{listing_id}", "draft", seller=200, anon=404),
    api("GET /listings/{listing_id}", "listing", default=200, anon=200),
    api("PATCH /listings/{listing_id}", "draft", seller=200, body={"quantity": 2}),
    api("DELETE /listings/{listing_id}", "draft", seller=200),
    api("POST /listings/{listing_id}/publish", "draft", seller=200),
    api("POST /listings/{listing_id}/photos", "draft", seller=201, body=_image, multipart=True),
    api("DELETE /listings/{listing_id}/photos/{photo_id}", "draft", "draft_photo", seller=204),
    # one's own listing does not open someone else's photo
    api("DELETE /listings/{listing_id}/photos/{photo_id}", "stranger_draft", "draft_photo", keep=("listing_id",)),
    api("PUT /listings/{listing_id}/photos/order", "draft", seller=200, body=_photo_order),
    api("POST /listings/{listing_id}/inquiries", "draft", seller=422, body=TEXT),
    api("POST /listings/{listing_id}/inquiries", "listing", default=201, seller=422, body=TEXT),
    # quotes and orders: the two parties; order staff read (audited) but do not act
    api("GET /quotes/{quote_id}", "quote", buyer=200),
    api("GET /orders/{order_id}", "order_paid", **READ_ORDER),
    api("POST /orders/{order_id}/cancel", "order_pending", **PARTIES, **NO_ORDER_STAFF),
    api("POST /orders/{order_id}/confirm", "order_shipped", buyer=200, seller=403, **NO_ORDER_STAFF),
    api(
        "POST /orders/{order_id}/refunds", "order_paid", seller=201, buyer=403, **NO_ORDER_STAFF,
        body={"amount": CNY_10, "reason": "A scratch."}, headers={"Idempotency-Key": "matrix-refund"},
    ),
    api("POST /orders/{order_id}/ship", "order_paid", seller=200, buyer=403, **NO_ORDER_STAFF),
    api("GET /orders/{order_id}/label", "order_shipped", seller=200, buyer=404, **dict.fromkeys(ORDER_STAFF, 200)),
    api("POST /payments/sandbox/{payment_id}/complete", "payment", buyer=200, body={"outcome": "succeeded"}),
    # someone else's quote (an id in the body) orders nothing
    api("POST /orders", buyer=201, body=lambda w: {"quote": w.ids["quote_fresh"]}, headers=ORDERS_KEY),
    # threads: the two parties; arbitrators read order threads (audited), never write
    api("GET /orders/{order_id}/messages", "order_shipped", **READ_DISPUTE),
    api("POST /orders/{order_id}/messages", "order_shipped", buyer=201, seller=201, body=TEXT),
    api("GET /conversations/{conversation_id}/messages", "conversation_order", **READ_DISPUTE),
    api("GET /conversations/{conversation_id}/messages", "conversation_inquiry", **PARTIES),
    api("POST /conversations/{conversation_id}/messages", "conversation_order", buyer=201, seller=201, body=TEXT),
    api("POST /conversations/{conversation_id}/messages", "conversation_inquiry", buyer=201, seller=201, body=TEXT),
    # disputes: the two parties and arbitrators; finance and moderators included, nobody else
    api(
        "POST /orders/{order_id}/disputes", "order_shipped", buyer=201, seller=403,
        body={"reason": "damaged", "description": "The lid is cracked."},
    ),
    api("GET /orders/{order_id}/dispute", "dispute_order", **READ_DISPUTE),
    api("GET /disputes/{dispute_id}", "dispute", **READ_DISPUTE),
    api("POST /disputes/{dispute_id}/messages", "dispute", **WRITE_DISPUTE, body=TEXT),
    api("POST /disputes/{dispute_id}/evidence", "dispute", **WRITE_DISPUTE, body=_image, multipart=True),
    api("GET /disputes/{dispute_id}/evidence/{evidence_id}", "dispute", "evidence", **READ_DISPUTE),
    # a photo not sent yet is its uploader's draft; a photo belongs to its own dispute only
    api(
        "GET /disputes/{dispute_id}/evidence/{evidence_id}", "dispute", "evidence_draft", buyer=200,
        keep=("dispute_id",),
    ),
    api("GET /disputes/{dispute_id}/evidence/{evidence_id}", "dispute_offered", "evidence", keep=("dispute_id",)),
    api(
        "POST /disputes/{dispute_id}/offer", "dispute", seller=200, buyer=403, **NO_ARBITERS,
        body={"refund": CNY_10, "return_required": False},
    ),
    api("POST /disputes/{dispute_id}/accept", "dispute_offered", buyer=200, seller=403, **NO_ARBITERS),
    api("POST /disputes/{dispute_id}/escalate", "dispute", **PARTIES, **NO_ARBITERS),
    api("POST /disputes/{dispute_id}/withdraw", "dispute", buyer=200, seller=403, **NO_ARBITERS),
    api(
        "POST /disputes/{dispute_id}/return", "dispute_return_pending", buyer=200, seller=403, **NO_ARBITERS,
        body=RETURN,
    ),
    api("POST /disputes/{dispute_id}/return/received", "dispute_return_shipped", seller=200, buyer=403, **NO_ARBITERS),
    # reviews: written by the two parties; a revealed review is public, so a refused reply is 403
    # (reputation.md); a sealed one exists for its author only
    api(
        "POST /orders/{order_id}/review", "order_completed", buyer=201, seller=201, **NO_ORDER_STAFF,
        body={"rating": 5, "text": "Smooth."},
    ),
    api("GET /orders/{order_id}/reviews", "order_reviewed", **READ_ORDER),
    api("POST /reviews/{review_id}/reply", "review", seller=200, default=403, body=TEXT),
    api("POST /reviews/{review_id}/reply", "review_sealed", buyer=403, body=TEXT),
    # one's own things ...
    api("POST /me/notifications/{notification_id}/read", "notification", seller=200),
    api("GET /me/payouts/{payout_id}", "payout", seller=200),
    api("GET /reports/{report_id}", "report", buyer=200),
    # ... and the lists of them: each sees theirs and nobody else's
    api("GET /orders", default=200, query={"role": "=buyer"}, sees=("order_paid", ("buyer",))),
    api("GET /orders", default=200, query={"role": "=seller"}, sees=("order_paid", ("seller",))),
    api("GET /me/listings", default=200, sees=("draft", ("seller",))),
    api("GET /me/notifications", default=200, sees=("notification", ("seller",))),
    api("GET /me/payouts", default=200, sees=("payout", ("seller",))),
    api("GET /me/balances", default=200, sees=("seller_currency", ("seller",))),
    api("GET /me/conversations", default=200, sees=("conversation_order", ("buyer", "seller"))),
    api("GET /me/reports", default=200, sees=("report", ("buyer",))),
    api("GET /me/service-score", default=200, sees=("order_shipped", ("seller",))),
    api("GET /me", default=200, sees=("seller_email", ("seller",))),
    api("GET /me/verification"),  # the applicant's request is nobody else's: none of them has one
    api("GET /me/payout-account", seller=200),
    # signed in, and that is all (what each gets is tested in its domain)
    api("PATCH /me", personas=("stranger", "anon"), stranger=200, body={"display_name": "Someone"}),
    api("POST /me/verification", personas=("stranger", "anon"), stranger=202, body=_document, multipart=True),
    api(
        "PUT /me/payout-account", personas=("stranger", "anon"), stranger=200,
        body={"method": "bank", "holder_name": "S", "account_number": "99887766"},
    ),
    api("POST /me/payouts", personas=("seller", "anon"), seller=201, body={"amount": JPY_1000}),
    api("POST /me/notifications/read", default=200),
    api("POST /auth/logout", personas=("stranger", "anon"), stranger=204),
    api("POST /listings", personas=("seller", "anon"), seller=201, body=_listing),
    api("POST /quotes", personas=("buyer", "anon"), buyer=201, body=_quote("listing")),
    # a quote for someone else's draft: it does not exist for the buyer
    api("POST /quotes", personas=("buyer", "stranger", "anon"), body=_quote("draft")),
    # reports on what the reporter can see only (a message of a thread they are not in: 404)
    api("POST /reports", seller=201, buyer=422, body=_report_message),
    # public, personalised when signed in
    api("GET /users/{user_id}", "seller_user", default=200, anon=200),
    api("GET /users/{user_id}/reviews", "seller_user", default=200, anon=200),
    api("GET /users/{user_id}/reputation", "seller_user", default=200, anon=200),
    api("GET /search", default=200, anon=200),
    api("GET /market", default=200, anon=200),
    # --- staff: each role its own queues -------------------------------------------------------
    staff_api("GET /staff/verifications", IDENTITY),
    staff_api("GET /staff/verifications/{verification_id}", IDENTITY, "verification"),
    staff_api("GET /staff/verifications/{verification_id}/document", IDENTITY, "verification"),
    staff_api("POST /staff/verifications/{verification_id}/decision", IDENTITY, "verification", body={"approve": True}),
    staff_api("POST /staff/listings/{listing_id}/suppress", MODERATION, "listing", body=REASON),
    staff_api("POST /staff/listings/{listing_id}/reinstate", MODERATION, "listing_suppressed"),
    staff_api("PUT /staff/fx-rates", FINANCE, body={"base": "USD", "quote": "JPY", "rate": "151", "source": "matrix"}),
    staff_api("GET /staff/ledger/check", FINANCE),
    staff_api("POST /staff/orders/{order_id}/refund-held", FINANCE, "order_stranded", ok=201, body=REASON),
    staff_api("GET /staff/orders/review", ORDER_STAFF),
    staff_api("GET /staff/disputes", ARBITERS),
    staff_api(
        "POST /staff/disputes/{dispute_id}/decision", ARBITERS, "dispute_escalated",
        body={"outcome": "release", "reason": "Tracking shows delivery."},
    ),
    staff_api("GET /staff/reviews/{review_id}", MODERATION, "review"),
    # a sealed review does not exist for staff either
    staff_api("GET /staff/reviews/{review_id}", MODERATION, "review_sealed", ok=404),
    staff_api("POST /staff/reviews/{review_id}/hide", MODERATION, "review", body=REASON),
    staff_api("POST /staff/reviews/{review_id}/unhide", MODERATION, "review_hidden", body=REASON),
    staff_api("GET /staff/reports", MODERATION),
    staff_api("POST /staff/reports/{report_id}/action", MODERATION, "report", body=DISMISS),
    staff_api("POST /staff/users/{user_id}/suspend", MODERATION, "suspect", body=REASON),
    staff_api("POST /staff/users/{user_id}/unsuspend", MODERATION, "suspended", body=REASON),
    staff_api("GET /staff/risk/decisions", ("moderator", "finance", "admin")),
    staff_api("GET /staff/risk/decisions/{decision_id}", MODERATION, "decision_moderator", expect=NOT_FINANCE),
    staff_api("GET /staff/risk/decisions/{decision_id}", FINANCE, "decision_finance", expect=NOT_MODERATOR),
    staff_api(
        "POST /staff/risk/decisions/{decision_id}/resolve", MODERATION, "decision_moderator", expect=NOT_FINANCE,
        body={"resolution": "clear", "note": "Genuine."},
    ),
    staff_api(
        "POST /staff/risk/decisions/{decision_id}/resolve", FINANCE, "decision_finance", expect=NOT_MODERATOR,
        body={"resolution": "clear", "note": "The owner confirmed."},
    ),
    staff_api("POST /shipping/sandbox/{tracking_number}/advance", STAFF, "tracking", body={"status": "in_transit"}),
]
# fmt: on

# Operations that need no credentials, and why.
PUBLIC_API: dict[str, str] = {
    "GET /api/v1/health": "monitoring",
    "POST /api/v1/auth/register": "signing up",
    "POST /api/v1/auth/token": "signing in",
    "POST /api/v1/auth/password-reset": "the e-mailed link is the credential",
    "POST /api/v1/auth/password-reset/confirm": "the e-mailed token is the credential",
    "POST /api/v1/auth/confirm-email": "the e-mailed token is the credential",
    "GET /api/v1/categories": "reference data",
    "GET /api/v1/fx": "reference data",
    "GET /api/v1/risk/rules": "the public rules",
    "POST /api/v1/webhooks/payments/{provider}": "signed (test_callbacks_without_a_signature_change_nothing)",
    "POST /api/v1/webhooks/carriers/{carrier}": "signed (test_callbacks_without_a_signature_change_nothing)",
}

# --- pages ------------------------------------------------------------------------------------

ORDER_STAFF_REFUSED = dict.fromkeys(ORDER_STAFF, REFUSED)  # they see the order; acting on it is refused
ARBITERS_REFUSED = dict.fromkeys(ARBITERS, REFUSED)
SEE_ORDER = {"buyer": OK, "seller": OK} | dict.fromkeys(ORDER_STAFF, OK)
SEE_DISPUTE = {"buyer": OK, "seller": OK} | dict.fromkeys(ARBITERS, OK)
ACT = "POST disputes/<str:dispute_id>/act/<str:action>/"
ASK = {"text": "Is the colour as in the photo?"}

# fmt: off
PAGE_ROWS: list[Row] = [
    page("GET listings/<str:listing_id>/", "draft", seller=OK, anon=404),
    page("GET listings/<str:listing_id>/", "listing", default=OK, anon=OK),
    page("GET listings/<str:listing_id>/edit/", "draft", seller=OK),
    page("POST listings/<str:listing_id>/photos/", "draft", seller=OK, body=_image, multipart=True),
    page("POST listings/<str:listing_id>/photos/<str:photo_id>/", "draft", "draft_photo", seller=OK, body=DOWN),
    page(
        "POST listings/<str:listing_id>/photos/<str:photo_id>/", "stranger_draft", "draft_photo",
        body={"action": "delete"}, keep=("listing_id",),
    ),
    page("POST listings/<str:listing_id>/status/", "draft", seller=OK, body={"action": "publish"}),
    page("GET listings/<str:listing_id>/buy/", "draft", seller=OK),
    page("GET listings/<str:listing_id>/buy/", "listing", default=OK),
    page("POST listings/<str:listing_id>/ask/", "draft", seller=REFUSED, body=ASK),
    page("POST listings/<str:listing_id>/ask/", "listing", default=OK, seller=REFUSED, body=ASK),
    page("GET orders/<str:order_id>/", "order_paid", **SEE_ORDER),
    page("POST orders/<str:order_id>/pay/", "order_pending", buyer=OK, body={"outcome": "succeeded"}),
    page("POST orders/<str:order_id>/cancel/", "order_pending", buyer=OK, seller=OK, **ORDER_STAFF_REFUSED),
    page("POST orders/<str:order_id>/ship/", "order_paid", seller=OK, buyer=REFUSED, **ORDER_STAFF_REFUSED, body=_ship),
    page("POST orders/<str:order_id>/confirm/", "order_shipped", buyer=OK, seller=REFUSED, **ORDER_STAFF_REFUSED),
    page("POST orders/<str:order_id>/messages/", "order_shipped", buyer=OK, seller=OK, body=TEXT),
    page(
        "POST orders/<str:order_id>/dispute/open/", "order_shipped", buyer=OK, seller=REFUSED, **ORDER_STAFF_REFUSED,
        body={"reason": "damaged", "description": "The lid is cracked."},
    ),
    page("GET orders/<str:order_id>/review/", "order_completed", **SEE_ORDER),
    page("POST reviews/<str:review_id>/reply/", "review", seller=OK, default=REFUSED, body=TEXT),
    page("POST reviews/<str:review_id>/reply/", "review_sealed", buyer=REFUSED, body=TEXT),
    page("GET messages/<str:conversation_id>/", "conversation_order", **SEE_DISPUTE),
    page("GET messages/<str:conversation_id>/", "conversation_inquiry", buyer=OK, seller=OK),
    page("GET disputes/<str:dispute_id>/", "dispute", **SEE_DISPUTE),
    page(ACT, "dispute", "=message", **SEE_DISPUTE, body=TEXT),
    page(ACT, "dispute", "=escalate", buyer=OK, seller=OK, **ARBITERS_REFUSED),
    page(ACT, "dispute", "=withdraw", buyer=OK, seller=REFUSED, **ARBITERS_REFUSED),
    page(ACT, "dispute", "=offer", seller=OK, buyer=REFUSED, **ARBITERS_REFUSED, body={"refund": "10.00"}),
    page(ACT, "dispute_offered", "=accept", buyer=OK, seller=REFUSED, **ARBITERS_REFUSED),
    page(ACT, "dispute_return_pending", "=return", buyer=OK, seller=REFUSED, **ARBITERS_REFUSED, body=RETURN),
    page(ACT, "dispute_return_shipped", "=received", seller=OK, buyer=REFUSED, **ARBITERS_REFUSED),
    # a report form only about what the reporter can see
    page("GET report/", query={"type": "=message", "id": "message"}, buyer=OK, seller=OK),
    page("GET report/", query={"type": "=listing", "id": "draft"}, seller=OK),
    # one's own lists
    page("GET my/orders/", default=OK, sees=("order_paid", ("buyer",))),
    page("GET my/orders/", default=OK, query={"tab": "=sales"}, sees=("order_paid", ("seller",))),
    page("GET my/listings/", default=OK, sees=("draft", ("seller",))),
    page("GET messages/", default=OK, sees=("conversation_order", ("buyer", "seller"))),
    page("GET my/wallet/", default=OK),
    page("GET my/notifications/", default=OK),
    page("POST my/notifications/read/", default=OK),
    page("GET my/score/", default=OK),
    page("GET my/reports/", default=OK),
    page("GET settings/", default=OK),
    page("GET verification/", default=OK),
    page("GET sell/", default=OK),
    page("GET u/<str:user_id>/", "seller_user", default=OK, anon=OK),
    # --- staff pages ---------------------------------------------------------------------------
    staff_page("GET staff/", STAFF),
    staff_page("GET staff/identity/", IDENTITY),
    staff_page("GET staff/identity/<str:verification_id>/", IDENTITY, "verification"),
    staff_page("GET staff/identity/<str:verification_id>/document", IDENTITY, "verification"),
    staff_page("GET staff/disputes/", ARBITERS),
    staff_page(
        "POST staff/disputes/<str:dispute_id>/decide/", ARBITERS, "dispute_escalated",
        body={"outcome": "release", "reason": "Tracking shows delivery."},
    ),
    staff_page("GET staff/moderation/", MODERATION),
    staff_page("POST staff/moderation/reports/<str:report_id>/action/", MODERATION, "report", body=DISMISS),
    staff_page("GET staff/moderation/users/<str:user_id>/", MODERATION, "suspect"),
    staff_page("GET staff/risk/", ("moderator", "finance", "admin")),
    staff_page("GET staff/risk/decisions/<str:decision_id>/", MODERATION, "decision_moderator", expect=NOT_FINANCE),
    staff_page("GET staff/risk/decisions/<str:decision_id>/", FINANCE, "decision_finance", expect=NOT_MODERATOR),
]
# fmt: on

# Pages anyone may open, and why.
PUBLIC_PAGES: dict[str, str] = {
    "": "the market",
    "market/": "the market",
    "search/": "search",
    "rules/": "the public risk rules",
    "language/": "the language switch",
    "login/": "signing in",
    "logout/": "signing out",
    "register/": "signing up",
    "password-reset/": "asking for a reset link",
    "password-reset/<str:uid>/<str:token>/": "the e-mailed token is the credential",
    "confirm-email/": "the e-mailed token is the credential",
    "media/<path:path>": "public uploads only (test_private_files_are_not_served_as_public_media)",
}
OUTSIDE = ("api/v1/", "admin/")  # the API (above) and Django's admin (test_django_admin_...)


# --- the world --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the module inside a transaction that each test nests in (and is rolled back
    to), thrown away at the end: what ``TestCase.setUpTestData`` does for a class."""
    root = tmp_path_factory.mktemp("access")
    storage = "django.core.files.storage.FileSystemStorage"
    files = override_settings(
        MEDIA_ROOT=root / "media",
        PRIVATE_ROOT=root / "private",
        STORAGES={
            "default": {"BACKEND": storage, "OPTIONS": {"location": str(root / "media")}},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "private": {"BACKEND": storage, "OPTIONS": {"location": str(root / "private"), "base_url": None}},
        },
    )
    files.enable()
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()  # type: ignore[attr-defined]
        try:
            built = world_build()
            _assert_books_balance()
            yield built
        finally:
            TestCase._rollback_atomics(atomics)  # type: ignore[attr-defined]
            files.disable()


@pytest.fixture
def _isolated_files() -> None:
    """The world's files live in the module's folders (``world``), not in one per test."""


@pytest.fixture
def _ledger_balanced_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """conftest's after-test ledger check, when the test moved money: the world's own books are
    checked once, when it is built, rather than 1,400 times."""
    request.getfixturevalue("_django_db_helper")
    before = JournalEntry.objects.count()
    yield
    if not connection.needs_rollback and JournalEntry.objects.count() != before:
        _assert_books_balance()


def _assert_books_balance() -> None:
    report = ledger_check()
    assert report.balanced, report.problems
    assert report.escrow_matches_orders, report.problems
    assert report.payouts_match, report.problems


# --- the matrix -------------------------------------------------------------------------------


def _cases(rows: list[Row]) -> list[Any]:
    return [pytest.param(row, persona, id=f"{row.label} · {persona}") for row in rows for persona in row.personas]


def _compare_with_unknown(row: Row, persona: str, expected: int | str) -> bool:
    """Whether the answer must be the one an unknown id gets: for every 404 but a party's
    documented one (the buyer asking for the label knows the order), and for a staff queue's
    403 (the role is checked before the id is looked up)."""
    if not row.objects or persona == "anon":
        return False
    if expected == 404:
        return persona not in row.expect or persona in STAFF
    return expected == 403 and row.staff


@pytest.mark.parametrize(("row", "persona"), _cases(API_ROWS))
def test_api(world: World, row: Row, persona: str) -> None:
    expected = row.expected(persona)
    response = send(world, row, persona)
    assert response.status_code == expected, f"{row.label} as {persona}: expected {expected}, got {describe(response)}"
    if expected in ERROR_CODES:
        assert error_code(response) == ERROR_CODES[int(expected)], describe(response)
    if _compare_with_unknown(row, persona, expected):
        unknown = send(world, row, persona, fake=True)
        assert (unknown.status_code, unknown.content) == (expected, response.content), describe(unknown)
    if row.sees and 200 <= response.status_code < 300:
        key, owners = row.sees
        assert contains(json.loads(response.content), world.ids[key]) == (persona in owners), f"{persona}, {key}"


@pytest.mark.parametrize(("row", "persona"), _cases(PAGE_ROWS))
def test_page(world: World, row: Row, persona: str) -> None:
    expected = row.expected(persona)
    response = send(world, row, persona)
    status = response.status_code
    where = f"{row.label} as {persona}: expected {expected}, got {status}"
    login = reverse("accounts:login")
    if expected == LOGIN:
        assert status == 302 and response["Location"].startswith(login), where
        return
    if expected in (OK, REFUSED):
        assert status in ((200,) if row.method == "GET" else (200, 302)), where
        assert status == 200 or not response["Location"].startswith(login), where
        assert refused(response) == (expected == REFUSED), f"{where}: {flashed_errors(response)}"
    else:
        assert status == expected, where
    if _compare_with_unknown(row, persona, expected):
        assert send(world, row, persona, fake=True).status_code == expected, f"{where}: not so for an unknown id"
    if row.sees and status == 200:
        key, owners = row.sees
        assert (world.ids[key] in response.content.decode()) == (persona in owners), f"{persona}, {key}"


@pytest.mark.parametrize("persona", list(READ_ORDER))
def test_an_order_shows_each_reader_only_their_fields(world: World, persona: str) -> None:
    """Field level (PRODUCT.md invariant 4): only the buyer gets the payment's secret and the
    phone number; the seller and order staff get the address a parcel needs once it is paid."""
    row = api("GET /orders/{order_id}", "order_paid", **READ_ORDER)
    order = json.loads(send(world, row, persona).content)
    is_buyer = persona == "buyer"
    assert (order["payment"]["client_secret"] is not None) == is_buyer
    assert ("phone" in order["ship_to"]) == is_buyer and order["ship_to"]["postal_code"]


API_OBJECT_READS = [row for row in API_ROWS if row.method == "GET" and row.objects and row.default == 404]


@pytest.mark.parametrize("row", API_OBJECT_READS, ids=[row.label for row in API_OBJECT_READS])
def test_api_over_the_browser_session(world: World, row: Row) -> None:
    """The pages' own scripts call the API with the session: the same 404 for someone else."""
    response = send(world, row, "stranger", session=True)
    assert (response.status_code, error_code(response)) == (404, "not_found"), describe(response)


# --- nothing is missing -----------------------------------------------------------------------


def _operations() -> dict[str, bool]:
    """``"METHOD /api/v1/path"`` → whether it asks for credentials."""
    return {
        f"{method.upper()} {path}": bool(operation.get("security"))
        for path, operations in ninja_api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
    }


def test_every_api_operation_is_in_the_matrix() -> None:
    operations = _operations()
    rows = {f"{row.method} {row.path}" for row in API_ROWS}
    missing = sorted(set(operations) - rows - set(PUBLIC_API))
    assert not missing, f"add it to the matrix (API_ROWS, or PUBLIC_API with the reason): {missing}"
    stale = sorted((rows | set(PUBLIC_API)) - set(operations))
    assert not stale, f"no such operation any more, take it out of the matrix: {stale}"
    open_rows = {f"{row.method} {row.path}" for row in API_ROWS if row.anon != 401}
    unsaid = sorted(op for op, secured in operations.items() if not secured and op not in {*PUBLIC_API, *open_rows})
    assert not unsaid, f"open to anyone, and no row says so: {unsaid}"


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def test_every_page_route_is_in_the_matrix() -> None:
    routes = {route for route in _routes(get_resolver().url_patterns) if not route.startswith(OUTSIDE)}
    rows = {row.path for row in PAGE_ROWS}
    missing = sorted(routes - rows - set(PUBLIC_PAGES))
    assert not missing, f"add it to the matrix (PAGE_ROWS, or PUBLIC_PAGES with the reason): {missing}"
    stale = sorted((rows | set(PUBLIC_PAGES)) - routes)
    assert not stale, f"no such page any more, take it out of the matrix: {stale}"


def test_each_staff_role_has_queues_of_its_own() -> None:
    assert set(STAFF) == {"moderator", "identity_reviewer", "arbitrator", "finance", "admin"}
    for role in STAFF:
        assert any(row.staff and row.expect.get(role) in (200, 201, OK) for row in API_ROWS + PAGE_ROWS), role


@pytest.mark.parametrize("role", STAFF)
def test_the_staff_dashboard_offers_each_role_the_queues_it_may_open(world: World, role: str) -> None:
    html = client_for(world, role, session=True).get(reverse("backoffice:dashboard")).content.decode()
    queues = [row for row in PAGE_ROWS if row.staff and row.method == "GET" and not row.objects]
    for row in queues:
        if row.path != "staff/":
            assert (f'href="/{row.path}"' in html) == (row.expected(role) == OK), (role, row.path)


# --- files, callbacks and the Django admin ----------------------------------------------------


def test_private_files_are_not_served_as_public_media(world: World, client: CommitClient) -> None:
    """Identity documents, dispute photos and shipping labels have no public URL (decision 0006)."""
    assert client.get(f"/media/{world.public_file}").status_code == 200  # the route itself works
    assert len(world.private_files) == 4
    for name in world.private_files:
        for path in (name, f"../private/{name}", f"..%2Fprivate%2F{name}"):
            assert client.get(f"/media/{path}").status_code in (400, 404), path


def test_callbacks_without_a_signature_change_nothing(world: World, client: CommitClient) -> None:
    for path in ("/api/v1/webhooks/payments/sandbox", "/api/v1/webhooks/carriers/sandbox"):
        event = {"id": "evt_x", "type": "payment.succeeded", "payment_id": world.ids["payment"]}
        response = client.post(path, event, content_type="application/json")
        assert (response.status_code, error_code(response)) == (400, "bad_signature"), path
    assert Order.objects.get(pk=world.ids["order_pending"]).status == "pending_payment"


@pytest.mark.parametrize("persona", [*STAFF, "stranger"])
def test_django_admin_is_for_superusers_only(world: World, persona: str) -> None:
    """Roles carry no model permissions: the admin site is no way around the queues."""
    client = client_for(world, persona, session=True)
    for model in admin.site._registry:
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(changelist)
        if persona == "admin":  # ``shiji createstaff --role admin`` makes a superuser
            assert response.status_code == 200, changelist
        elif persona == "stranger":
            assert response.status_code == 302 and "/admin/login/" in response["Location"], changelist
        else:
            assert response.status_code == 403, changelist
