"""Balances and payouts (API.md "Money"): GET /me/balances, POST /me/payouts, GET /me/payouts.

Sellers get their money the real way: an order is placed, paid in the sandbox, shipped and
completed, which releases the escrow to them minus commission. Payout requests then run the
whole way in-process: the payout job, the sandbox bank, and its signed callback.
"""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from django.test import TestCase

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory
from shiji.core.models import AuditEvent
from shiji.core.tests import images
from shiji.identity import services as identity
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import clearing_account, platform_account, user_account
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp
from shiji.payments.models import Payout, PayoutAccount, PayoutEvent, PayoutStatus, SandboxOperation
from shiji.payments.tests.factories import payout_account

pytestmark = pytest.mark.django_db

PRICE = 6800  # JPY, the listing factory's price
NET = PRICE - 544  # 8 % commission for a seller below the reliable score


def jpy(amount: int | str) -> dict[str, dict[str, str]]:
    return {"amount": {"amount": str(amount), "currency": "JPY"}}


def unverified_seller() -> User:
    return cast(User, UserFactory(verification_level=0))


def reviewer() -> User:
    return cast(User, UserFactory(roles=["identity_reviewer"]))


def completed_sale(seller: User) -> Order:
    """A sale the seller has been paid for; the seller has a payout account (changed long ago)."""
    if not PayoutAccount.objects.filter(user=seller).exists():
        payout_account(seller)
    order = order_placed(listing=listing_jp(seller))
    pay(order)
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    order.refresh_from_db()
    return order


@pytest.fixture
def seller() -> User:
    """A verified seller with one completed sale: ¥6,256 available."""
    person = seller_jp()
    order = completed_sale(person)
    assert order.seller_proceeds_minor == NET
    return person


def balances(client: Any) -> list[dict[str, str]]:
    response = client.get("/me/balances")
    assert response.status_code == 200, response.content
    return response.json()


def assert_books_consistent() -> None:
    report = ledger_check()
    assert report.balanced, report.problems
    assert report.escrow_matches_orders, report.problems
    assert report.payouts_match, report.problems


def written() -> dict[str, int]:
    return {
        "payouts": Payout.objects.count(),
        "payout_events": PayoutEvent.objects.count(),
        "entries": JournalEntry.objects.count(),
        "sandbox_payouts": SandboxOperation.objects.filter(kind="payout").count(),
        "audit": AuditEvent.objects.filter(action="payout.requested").count(),
    }


# --- balances --------------------------------------------------------------------------------


def test_a_completed_sale_shows_as_available_balance(api_as, seller):
    assert balances(api_as(seller)) == [{"currency": "JPY", "available": str(NET), "pending": "0"}]


def test_balances_need_a_token_and_show_only_ones_own_money(api, api_as, seller):
    assert api.get("/me/balances").status_code == 401
    assert api.post("/me/payouts", jpy(1000)).status_code == 401
    assert balances(api_as(UserFactory())) == []


# --- a payout that the bank pays -------------------------------------------------------------


def test_a_payout_of_part_of_the_balance_is_paid_and_leaves_the_rest(api_as, seller):
    client = api_as(seller)

    response = client.post("/me/payouts", jpy(3000))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == {"amount": "3000", "currency": "JPY"}
    assert body["status"] in ("requested", "processing", "paid")
    assert body["id"].startswith("po_")
    payout = Payout.objects.get(pk=body["id"])
    assert payout.user_id == seller.pk
    assert payout.status == PayoutStatus.PAID  # the sandbox's callback arrived after commit
    assert payout.settled_at is not None and payout.provider_ref
    assert [e.to_state for e in payout.events.order_by("at", "pk")] == ["requested", "processing", "paid"]

    shown = client.get(f"/me/payouts/{payout.pk}")
    assert shown.status_code == 200
    assert shown.json()["status"] == "paid"
    assert shown.json()["settled_at"] is not None
    listed = client.get("/me/payouts").json()
    assert [item["id"] for item in listed["items"]] == [payout.pk]

    assert balances(client) == [{"currency": "JPY", "available": str(NET - 3000), "pending": "0"}]
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY").minor == 0
    assert balance(clearing_account("sandbox"), "JPY").minor == 3000  # left the platform
    assert JournalEntry.objects.filter(key=f"payout:{payout.pk}").exists()
    assert JournalEntry.objects.filter(key=f"payout-paid:{payout.pk}").exists()
    assert_books_consistent()


def test_the_ledger_check_endpoint_agrees_after_a_payout(api_as, seller):
    assert api_as(seller).post("/me/payouts", jpy(2500)).status_code == 201
    report = api_as(UserFactory(roles=["finance"])).get("/staff/ledger/check")
    assert report.status_code == 200
    body = report.json()
    assert body["balanced"] is True
    assert body["escrow_matches_orders"] is True
    assert body["payouts_match"] is True
    assert body["problems"] == []


def test_the_whole_balance_can_be_paid_out_and_then_nothing_more(api_as, seller):
    client = api_as(seller)
    assert client.post("/me/payouts", jpy(NET)).status_code == 201
    assert balances(client) == [{"currency": "JPY", "available": "0", "pending": "0"}]
    again = client.post("/me/payouts", jpy(1000))
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "insufficient_funds"
    assert Payout.objects.count() == 1
    assert_books_consistent()


def test_money_sent_out_cannot_be_requested_twice(api_as, seller):
    client = api_as(seller)
    assert client.post("/me/payouts", jpy(4000)).status_code == 201
    second = client.post("/me/payouts", jpy(4000))
    assert second.status_code == 422
    assert second.json()["error"]["code"] == "insufficient_funds"
    assert balances(client)[0]["available"] == str(NET - 4000)


# --- refused requests write nothing ----------------------------------------------------------


def test_more_than_available_is_422_insufficient_funds_and_writes_nothing(api_as, seller):
    client = api_as(seller)
    before = written()

    response = client.post("/me/payouts", jpy(NET + 1))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert written() == before
    assert balances(client) == [{"currency": "JPY", "available": str(NET), "pending": "0"}]
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY").minor == 0
    assert_books_consistent()


def test_a_currency_the_seller_holds_nothing_in_is_insufficient_funds(api_as, seller):
    before = written()
    response = api_as(seller).post("/me/payouts", {"amount": {"amount": "20.00", "currency": "USD"}})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert written() == before


def test_below_the_minimum_is_422_below_minimum(api_as, seller):
    before = written()
    response = api_as(seller).post("/me/payouts", jpy(999))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "below_minimum"
    assert "amount" in error["fields"]
    assert written() == before


def test_exactly_the_minimum_is_allowed(api_as, seller):
    response = api_as(seller).post("/me/payouts", jpy(1000))
    assert response.status_code == 201, response.content


def test_the_minimum_follows_the_setting(api_as, seller, settings):
    settings.SHIJI_PAYOUT_MINIMUMS = "JPY:5000"
    client = api_as(seller)
    assert client.post("/me/payouts", jpy(4999)).json()["error"]["code"] == "below_minimum"
    assert client.post("/me/payouts", jpy(5000)).status_code == 201
    assert Payout.objects.count() == 1


@pytest.mark.parametrize(
    "amount",
    [
        {"amount": "50.00", "currency": "CHF"},  # ISO 4217, but not a currency the platform trades in
        {"amount": "50", "currency": "XYZ"},
        {"amount": "3000", "currency": "jpy"},
        {"amount": "3000.5", "currency": "JPY"},
        {"amount": "-3000", "currency": "JPY"},
        {"amount": "0", "currency": "JPY"},
        {"amount": 3000.0, "currency": "JPY"},
    ],
)
def test_an_unsupported_currency_or_bad_amount_is_422(api_as, seller, amount):
    before = written()
    response = api_as(seller).post("/me/payouts", {"amount": amount})
    assert response.status_code == 422, response.content
    assert written() == before


def test_an_unverified_seller_cannot_pay_out(api_as):
    person = unverified_seller()
    completed_sale(person)
    before = written()

    response = api_as(person).post("/me/payouts", jpy(1000))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "verification_required"
    assert written() == before


# --- a payout the bank rejects ---------------------------------------------------------------


def test_a_payout_the_sandbox_bank_rejects_returns_the_money(api_as, seller):
    client = api_as(seller)

    response = client.post("/me/payouts", jpy(1013))  # ends in 13: the sandbox bank refuses it

    assert response.status_code == 201, response.content
    payout = Payout.objects.get(pk=response.json()["id"])
    assert payout.status == PayoutStatus.FAILED
    assert payout.failure_reason
    assert payout.settled_at is not None
    shown = client.get(f"/me/payouts/{payout.pk}").json()
    assert shown["status"] == "failed"
    assert shown["failure_reason"] == payout.failure_reason
    assert balances(client) == [{"currency": "JPY", "available": str(NET), "pending": "0"}]
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY").minor == 0
    assert balance(clearing_account("sandbox"), "JPY").minor == 0
    assert JournalEntry.objects.filter(key=f"payout-failed:{payout.pk}").exists()
    assert_books_consistent()
    # The returned money can be paid out again.
    retry = client.post("/me/payouts", jpy(1012))
    assert retry.status_code == 201
    assert Payout.objects.get(pk=retry.json()["id"]).status == PayoutStatus.PAID


# --- Idempotency-Key ------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_response_and_pays_once(api_as, seller):
    client = api_as(seller)
    headers = {"Idempotency-Key": "payout-2025-01-a"}

    first = client.post("/me/payouts", jpy(2000), headers=headers)
    second = client.post("/me/payouts", jpy(2000), headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert Payout.objects.count() == 1
    assert balances(client)[0]["available"] == str(NET - 2000)


def test_the_same_key_with_another_body_is_409_and_pays_nothing_more(api_as, seller):
    client = api_as(seller)
    headers = {"Idempotency-Key": "payout-2025-01-b"}
    assert client.post("/me/payouts", jpy(2000), headers=headers).status_code == 201

    response = client.post("/me/payouts", jpy(2500), headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Payout.objects.count() == 1
    assert balances(client)[0]["available"] == str(NET - 2000)


def test_a_refused_request_does_not_use_up_its_key(api_as, seller):
    client = api_as(seller)
    headers = {"Idempotency-Key": "payout-2025-01-c"}
    assert client.post("/me/payouts", jpy(NET + 1), headers=headers).status_code == 422
    # A retry of the same request is tried again (and refused again), not replayed as a success.
    assert client.post("/me/payouts", jpy(NET + 1), headers=headers).status_code == 422
    assert Payout.objects.count() == 0


def test_keys_are_per_user(api_as, seller):
    other = seller_jp()
    completed_sale(other)
    headers = {"Idempotency-Key": "same-key"}
    assert api_as(seller).post("/me/payouts", jpy(2000), headers=headers).status_code == 201
    assert api_as(other).post("/me/payouts", jpy(2000), headers=headers).status_code == 201
    assert Payout.objects.filter(user=seller).count() == 1
    assert Payout.objects.filter(user=other).count() == 1


# --- nobody sees another's payouts ----------------------------------------------------------


def test_payouts_are_private_to_their_seller(api_as, seller):
    mine = api_as(seller).post("/me/payouts", jpy(2000)).json()["id"]
    stranger = api_as(UserFactory())
    assert stranger.get(f"/me/payouts/{mine}").status_code == 404
    assert stranger.get("/me/payouts").json()["items"] == []
    assert api_as(seller).get("/me/payouts").json()["items"][0]["id"] == mine


# --- held funds ------------------------------------------------------------------------------


def _verify(user: User, reviewer: User, *, approve: bool) -> None:
    request = identity.verification_submit(
        user=user,
        legal_name="Yamada Haruka",
        document_type="passport",
        document_number="E12-345-6789",
        document_image=io.BytesIO(images.jpeg_with_gps()),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        identity.verification_decide(
            reviewer=reviewer, verification_id=request.pk, approve=approve, reason="" if approve else "blurry"
        )


def test_an_unverified_sellers_sale_is_held_until_their_identity_is_approved(api_as):
    person = unverified_seller()
    completed_sale(person)
    client = api_as(person)
    assert balances(client) == [{"currency": "JPY", "available": "0", "pending": str(NET)}]
    assert balance(user_account(person.pk, Purpose.PENDING), "JPY").minor == NET

    _verify(person, reviewer(), approve=True)

    assert balances(client) == [{"currency": "JPY", "available": str(NET), "pending": "0"}]
    assert_books_consistent()
    person.refresh_from_db()
    assert person.verification_level == 1
    response = client.post("/me/payouts", jpy(NET))
    assert response.status_code == 201, response.content
    assert Payout.objects.get(pk=response.json()["id"]).status == PayoutStatus.PAID


def test_a_rejected_identity_keeps_the_money_held(api_as):
    person = unverified_seller()
    completed_sale(person)
    _verify(person, reviewer(), approve=False)
    assert balances(api_as(person)) == [{"currency": "JPY", "available": "0", "pending": str(NET)}]
    assert api_as(person).post("/me/payouts", jpy(1000)).status_code == 403


def test_sales_after_verification_go_straight_to_available(api_as):
    person = unverified_seller()
    completed_sale(person)
    _verify(person, reviewer(), approve=True)
    person.refresh_from_db()
    completed_sale(person)
    assert balances(api_as(person)) == [{"currency": "JPY", "available": str(2 * NET), "pending": "0"}]
    assert_books_consistent()


# --- the payout account (risk: a payout soon after a change waits for staff) -------------------


def test_a_payout_needs_a_payout_account(api_as):
    person = seller_jp()
    completed_sale(person)
    PayoutAccount.objects.filter(user=person).delete()
    client = api_as(person)
    assert client.get("/me/payout-account").status_code == 404
    before = written()
    response = client.post("/me/payouts", jpy(1000))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "payout_account_required"
    assert written() == before


def test_the_payout_account_keeps_only_the_last_four_and_a_change_holds_the_next_payout(api_as, seller):
    client = api_as(seller)
    saved = client.put(
        "/me/payout-account", {"method": "wise", "holder_name": " Tanaka Hanako ", "account_number": "GB29 NWBK 6016"}
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["method"] == "wise" and body["holder_name"] == "Tanaka Hanako"
    assert body["account_last4"] == "6016" and body["account_number_masked"] == "···· 6016"
    assert body["payouts_held_until"] is not None
    assert "GB29" not in str(PayoutAccount.objects.filter(user=seller).values().get())
    assert AuditEvent.objects.filter(action="payout_account.changed", actor=seller).exists()

    response = client.post("/me/payouts", jpy(2000))
    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert Payout.objects.get(pk=response.json()["id"]).status == PayoutStatus.HELD
    assert balances(client) == [{"currency": "JPY", "available": str(NET - 2000), "pending": "0"}]
    assert_books_consistent()


@pytest.mark.parametrize(
    "body",
    [
        {"method": "cash", "holder_name": "A", "account_number": "12345678"},
        {"method": "bank", "holder_name": " ", "account_number": "12345678"},
        {"method": "bank", "holder_name": "A", "account_number": "12"},
        {"method": "bank", "holder_name": "A", "account_number": "12<script>"},
    ],
)
def test_a_bad_payout_account_is_422_and_changes_nothing(api_as, seller, body):
    before = PayoutAccount.objects.get(user=seller)
    response = api_as(seller).put("/me/payout-account", body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert PayoutAccount.objects.get(user=seller).changed_at == before.changed_at
