"""A refund the provider rejects after a cancellation leaves the money in escrow of a closed
order; finance staff send it again, and the books balance throughout."""

from __future__ import annotations

import pytest
from django.test import TestCase

from shiji.accounts.tests.factories import UserFactory
from shiji.ledger.check import ledger_check
from shiji.orders import flow
from shiji.orders.tests.factories import order_placed, pay
from shiji.payments.models import Refund, SandboxOperation
from shiji.payments.tests.provider import provider_rejects_refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranded(monkeypatch):
    """A paid order the buyer cancelled, whose refund the provider then rejected."""
    order = pay(order_placed())
    # Hold the sandbox's own refund confirmation back: the provider rejects this one instead.
    monkeypatch.setattr("shiji.payments.providers.sandbox._send", lambda event: None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_cancel(user=order.buyer, order_id=order.pk)
    refund = Refund.objects.get(order=order)
    SandboxOperation.objects.filter(target_id=refund.pk).update(status="failed")  # the provider's books agree
    provider_rejects_refund(refund)
    monkeypatch.undo()
    order.refresh_from_db()
    return order


def test_finance_refunds_what_a_closed_order_still_holds(stranded, api_as):
    assert stranded.status == "cancelled" and stranded.escrow_expected_minor == stranded.total_minor
    finance = UserFactory(roles=["finance"])
    response = api_as(finance).post(f"/staff/orders/{stranded.pk}/refund-held", {"reason": "bank fixed the account"})
    assert response.status_code == 201, response.content
    stranded.refresh_from_db()
    assert stranded.escrow_expected_minor == 0
    assert Refund.objects.filter(order=stranded, status="succeeded").count() == 1
    report = ledger_check()
    assert report.balanced and report.escrow_matches_orders


def test_only_finance_may_and_only_for_money_still_held(stranded, api_as):
    assert api_as(stranded.buyer).post(f"/staff/orders/{stranded.pk}/refund-held", {"reason": "x"}).status_code == 403
    finance = api_as(UserFactory(roles=["finance"]))
    assert finance.post(f"/staff/orders/{stranded.pk}/refund-held", {"reason": " "}).status_code == 422
    assert finance.post(f"/staff/orders/{stranded.pk}/refund-held", {"reason": "retry"}).status_code == 201
    again = finance.post(f"/staff/orders/{stranded.pk}/refund-held", {"reason": "retry"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
