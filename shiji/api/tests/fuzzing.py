"""What the schemathesis fuzz test (``test_fuzz.py``) runs on: the Django app as an in-process
WSGI callable inside the test's transaction, a seeded marketplace (five personas and real
objects for every path parameter), and the hook that sends each generated case as one of the
personas, with real ids and accepted bodies mixed in."""

from __future__ import annotations

import copy
import io
import os
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase
from hypothesis import strategies as st

from shiji.accounts.models import User

Environ = dict[str, Any]
StartResponse = Callable[..., Any]

_django = get_wsgi_application()


def wsgi_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """Django's WSGI handler, run as the test client runs it: inside the test's transaction
    (the handler must not close the connection when the request ends) and with on-commit
    callbacks (jobs, e-mails, pushes) run when the request ends, as a real commit would."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = _django(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()  # type: ignore[attr-defined]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


# --- settings from the environment ------------------------------------------------------------


def examples_per_operation() -> int:
    """``SHIJI_FUZZ_EXAMPLES`` (CI: the default 25; ``make fuzz``: 100)."""
    return int(os.environ.get("SHIJI_FUZZ_EXAMPLES", "25"))


def fuzz_seed() -> int | None:
    """``SHIJI_FUZZ_SEED``: unset, the run is derandomized (the same inputs on every run, so the
    gate never fails on a commit that did not cause the failure); a number explores new inputs
    and reproduces them."""
    value = os.environ.get("SHIJI_FUZZ_SEED", "").strip()
    return int(value) if value else None


# --- the seeded marketplace --------------------------------------------------------------------

# admin holds every staff role; arbitrator and finance each reach their own queues only.
PERSONAS = ("buyer", "seller", "admin", "arbitrator", "finance")


@dataclass
class World:
    """Who calls (a bearer token per persona) and the real ids a case may use."""

    tokens: dict[str, str]
    users: dict[str, User]
    # path parameter name → ids that exist (some of them someone else's: those must be 404)
    path_ids: dict[str, list[str]] = field(default_factory=dict)
    # body field name → ids that exist, for the fields that name another object
    body_ids: dict[str, list[str]] = field(default_factory=dict)
    # operation label → whole bodies / query strings its rules accept (random text seldom does:
    # a category slug, a country, a currency), so success answers are checked too
    bodies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    queries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # off in stateful runs, where the links carry the ids from one step to the next
    real_ids: bool = True


# The world of the running module; the hooks below read it when a case is drawn.
CURRENT: dict[str, World] = {}


def seed_world() -> World:
    """A JP seller (verified, with published listings, a draft and a payout), a CN buyer with
    orders in every state that has endpoints (awaiting payment, paid, shipped, disputed,
    completed and reviewed), a conversation, a report, a verification request, a risk decision
    and notifications; an admin, an arbitrator and a finance officer."""
    from shiji.accounts.services import token_create
    from shiji.accounts.tests.factories import UserFactory, chinese_buyer
    from shiji.catalog.tests.factories import demo_rates, draft, published
    from shiji.core.money import Money
    from shiji.core.tests import images
    from shiji.disputes import services as disputes
    from shiji.identity.services import verification_submit
    from shiji.ledger.services import clearing_account, post_entry, user_account
    from shiji.messaging.services import inquiry_start
    from shiji.moderation.services import report_create
    from shiji.notifications.models import Notification
    from shiji.orders import services as orders
    from shiji.orders.flow import order_complete
    from shiji.orders.tests.factories import order_placed, pay, seller_jp, ship
    from shiji.payments.models import Payment
    from shiji.payments.payouts import payout_request_by_seller
    from shiji.payments.tests.factories import payout_account
    from shiji.reputation.services import review_create
    from shiji.risk.models import RiskDecision
    from shiji.shipping.models import Shipment
    from shiji.shipping.tests.factories import SHIP_TO_CN

    demo_rates()
    buyer = chinese_buyer(email="fuzz-buyer@example.test", display_name="Fuzz buyer")
    seller = seller_jp(email="fuzz-seller@example.test", display_name="Fuzz seller")
    users = {
        "buyer": buyer,
        "seller": seller,
        **{role: UserFactory(email=f"fuzz-{role}@example.test", roles=[role]) for role in PERSONAS[2:]},
    }

    listing = published(seller, quantity=20)
    listing_draft = draft(seller)
    flagged = published(seller, title={"ja": "高仿 バッグ"})  # the counterfeit-words rule reviews it
    photo_ids = list(listing.photos.values_list("pk", flat=True))

    pending = order_placed(buyer=buyer, listing=listing)
    paid = pay(order_placed(buyer=buyer, listing=listing))
    shipped = pay(order_placed(buyer=buyer, listing=listing))
    ship(shipped)
    disputed = pay(order_placed(buyer=buyer, listing=listing))
    ship(disputed)
    completed = pay(order_placed(buyer=buyer, listing=listing))
    ship(completed)
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_complete(order_id=completed.pk)
        dispute = disputes.dispute_open(
            buyer=buyer, order_id=disputed.pk, reason="damaged", description="The box arrived crushed."
        )
        evidence = disputes.evidence_upload(user=buyer, dispute_id=dispute.pk, upload=images.png(mode="RGB"))
        buyer_review = review_create(author=buyer, order_id=completed.pk, rating=5, text="Lovely dress.")
        seller_review = review_create(author=seller, order_id=completed.pk, rating=5, text="Quick payment.")
        sent = inquiry_start(buyer=buyer, listing_id=listing.pk, text="Is the dress still available?")
        report, _created = report_create(
            reporter=buyer, target_type="listing", target_id=listing.pk, reason="counterfeit", details=""
        )
        verification = verification_submit(
            user=buyer,
            legal_name="王小明",
            document_type="passport",
            document_number="E12345678",
            document_image=io.BytesIO(images.png(mode="RGB")),
        )
        post_entry(
            key=f"fuzz-fund:{seller.pk}",
            kind="test.fund",
            legs=[(clearing_account("sandbox"), Money(-20000, "JPY")), (user_account(seller.pk), Money(20000, "JPY"))],
        )
        payout_account(seller, changed_ago=timedelta(days=8))
        payout = payout_request_by_seller(user=seller, amount=Money(5000, "JPY"))
    quote = orders.quote_create(buyer=buyer, listing_id=listing.pk, quantity=1, ship_to=SHIP_TO_CN)

    order_ids = [o.pk for o in (pending, paid, shipped, disputed, completed)]
    tracking = list(Shipment.objects.filter(order_id__in=order_ids).values_list("tracking_number", flat=True))
    return World(
        tokens={name: token_create(user=user) for name, user in users.items()},
        users=users,
        path_ids={
            "user_id": [user.pk for user in users.values()],
            "listing_id": [listing.pk, listing_draft.pk, flagged.pk],
            "photo_id": photo_ids,
            "order_id": order_ids,
            "quote_id": [quote.pk],
            "payment_id": list(Payment.objects.filter(order_id=pending.pk).values_list("pk", flat=True)),
            "payout_id": [payout.pk],
            "dispute_id": [dispute.pk],
            "evidence_id": [evidence.pk],
            "review_id": [buyer_review.pk, seller_review.pk],
            "conversation_id": [sent.conversation.pk],
            "report_id": [report.pk],
            "verification_id": [verification.pk],
            "decision_id": list(RiskDecision.objects.values_list("pk", flat=True)),
            "notification_id": list(Notification.objects.values_list("pk", flat=True)[:10]),
            "tracking_number": tracking,
            "provider": ["sandbox"],
            "carrier": ["sandbox"],
        },
        bodies=_accepted_bodies(listing=listing, quote=quote, seller=seller),
        queries={"GET /api/v1/fx": [{"base": "JPY", "quote": "CNY"}, {"base": "CNY", "quote": "JPY"}]},
        body_ids={
            "listing": [listing.pk, flagged.pk],
            "quote": [quote.pk],
            "target_id": [listing.pk, flagged.pk, buyer.pk, seller.pk, buyer_review.pk],
            "photo_ids": photo_ids,
            "attachments": [evidence.pk],
        },
    )


def _accepted_bodies(*, listing: Any, quote: Any, seller: User) -> dict[str, list[dict[str, Any]]]:
    from shiji.accounts.tests.factories import PASSWORD
    from shiji.catalog.tests.factories import listing_data
    from shiji.shipping.tests.factories import SHIP_TO_CN

    def cny(amount: str) -> dict[str, str]:
        return {"amount": amount, "currency": "CNY"}

    return {
        "POST /api/v1/auth/register": [
            {
                "email": "fuzz-new@example.test",
                "password": "a long and unusual passphrase",
                "display_name": "New here",
                "country": "CN",
                "language": "zh-hans",
                "currency": "CNY",
            }
        ],
        "POST /api/v1/auth/token": [{"email": seller.email, "password": PASSWORD}],
        "POST /api/v1/listings": [listing_data(), listing_data(ships_to=["CN", "KR"], quantity=3)],
        "PATCH /api/v1/listings/{listing_id}": [{"price": {"amount": "7200", "currency": "JPY"}}, {"quantity": 5}],
        "POST /api/v1/quotes": [{"listing": listing.pk, "quantity": 1, "ship_to": SHIP_TO_CN}],
        "POST /api/v1/orders": [{"quote": quote.pk}],
        "POST /api/v1/orders/{order_id}/refunds": [{"amount": cny("1.00"), "reason": "A scratch"}],
        "POST /api/v1/orders/{order_id}/disputes": [{"reason": "damaged", "description": "It arrived broken."}],
        "POST /api/v1/orders/{order_id}/review": [{"rating": 4, "text": "As described."}],
        "POST /api/v1/reports": [{"target_type": "listing", "target_id": listing.pk, "reason": "spam", "details": ""}],
        "POST /api/v1/me/payouts": [{"amount": {"amount": "1000", "currency": "JPY"}}],
        "PUT /api/v1/me/payout-account": [{"method": "bank", "holder_name": "Fuzz", "account_number": "12345678"}],
        "PUT /api/v1/staff/fx-rates": [{"base": "USD", "quote": "JPY", "rate": "151", "source": "fuzz"}],
        "POST /api/v1/disputes/{dispute_id}/offer": [{"refund": cny("10.00"), "return_required": False}],
        "POST /api/v1/staff/disputes/{dispute_id}/decision": [{"outcome": "release", "reason": "The photos show it."}],
        "POST /api/v1/staff/users/{user_id}/suspend": [{"reason": "Spam."}],
        "POST /api/v1/staff/reports/{report_id}/action": [{"action": "dismiss", "reason": "Fine."}],
        "POST /api/v1/staff/verifications/{verification_id}/decision": [{"approve": True, "reason": ""}],
        "POST /api/v1/staff/risk/decisions/{decision_id}/resolve": [{"resolution": "clear", "note": "Checked."}],
    }


# --- hooks: real ids into generated cases ------------------------------------------------------


def _maybe_real(value: Any, ids: list[str] | None) -> st.SearchStrategy[Any]:
    """As generated, or (as often) an id that exists; lists of ids likewise. Values of another
    type are negative cases and stay as they are."""
    if not ids:
        return st.just(value)
    if isinstance(value, str):
        return st.one_of(st.just(value), st.sampled_from(ids))
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return st.one_of(st.just(value), st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
    return st.just(value)


def persona_and_real_ids(case: Any) -> st.SearchStrategy[Any]:
    """A ``flatmap_case`` hook. Each case is sent as one of the personas, drawn with the case (so
    a failure reproduces and shrinks with it); its path parameters and the body fields that name
    another object (a quote's listing, an order's quote, a report's target, attachments, photo
    order) become real ids half of the time, and where the world has bodies or query strings
    the operation accepts, half of its cases use one: operations are reached beyond their 404
    and 422, and their success answers are checked against the schema too.
    Schemathesis revalidates what was edited, so a case stays negative only if what is sent
    still is."""
    world = CURRENT.get("world")
    if world is None:
        return st.just(case)
    if not world.real_ids:
        return st.sampled_from(PERSONAS).map(lambda persona: _as(case, world, persona))
    path = st.fixed_dictionaries(
        {name: _maybe_real(value, world.path_ids.get(name)) for name, value in case.path_parameters.items()}
    )
    body: st.SearchStrategy[Any] = st.just(case.body)
    if isinstance(case.body, dict):
        body = st.fixed_dictionaries(
            {name: _maybe_real(value, world.body_ids.get(name)) for name, value in case.body.items()}
        )
    label = case.operation.label
    if label in world.bodies:
        body = st.one_of(body, st.sampled_from(world.bodies[label]))
    query = st.just(case.query)
    if label in world.queries:
        query = st.one_of(query, st.sampled_from(world.queries[label]))

    def apply(parts: tuple[str, dict[str, Any], Any, dict[str, Any]]) -> Any:
        persona, path_parameters, new_body, new_query = parts
        _as(case, world, persona)
        if path_parameters != case.path_parameters:
            case.path_parameters = path_parameters
        if new_body is not case.body and new_body != case.body:
            case.body = copy.deepcopy(new_body)
        if new_query != case.query:
            case.query = dict(new_query)
        return case

    return st.tuples(st.sampled_from(PERSONAS), path, body, query).map(apply)


def _as(case: Any, world: World, persona: str) -> Any:
    case.headers["Authorization"] = f"Bearer {world.tokens[persona]}"
    return case


def persona_for(case: Any) -> str:
    """The persona of a case the hook above did not draw (the coverage phase's deterministic
    cases): spread over the personas by a stable hash of what the case sends."""
    sent = repr((case.method, case.path_parameters, case.query, case.body)).encode()
    return PERSONAS[zlib.crc32(sent) % len(PERSONAS)]
