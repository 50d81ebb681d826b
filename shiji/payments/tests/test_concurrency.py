"""Money under real concurrency (threads, each with its own connection and real transactions):
payouts racing past the balance never overdraw it, and a payment callback delivered many times
at once — the same event or different events reporting the same capture — captures once."""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from conftest import ApiClient
from shiji.accounts.services import token_create
from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.ledger.check import ledger_check
from shiji.ledger.models import JournalEntry, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import escrow_account, platform_account, user_account
from shiji.orders.flow import order_complete
from shiji.orders.models import Order, OrderEvent
from shiji.orders.states import OrderStatus
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp
from shiji.payments import tasks as payment_tasks
from shiji.payments.models import (
    Payment,
    PaymentEvent,
    PaymentStatus,
    Payout,
    PayoutStatus,
    ProviderCallback,
)
from shiji.payments.providers.sandbox import sandbox_customer_pays

pytestmark = [pytest.mark.django_db(transaction=True)]

WEBHOOK = "/api/v1/webhooks/payments/sandbox"


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _categories(transactional_db: None) -> None:
    """Transactional tests empty every table between tests, the categories that a data migration
    seeds included; put them back (the seed is idempotent)."""
    from django.apps import apps

    importlib.import_module("shiji.catalog.migrations.0002_seed_categories_and_rules").seed(apps, None)


def race(attempts: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every attempt in its own thread, all released at once by a barrier; returns each
    attempt's result (or the exception it raised), in order."""
    barrier = threading.Barrier(len(attempts))
    results: list[Any] = [None] * len(attempts)

    def worker(index: int, attempt: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = attempt()
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n, attempt)) for n, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck"
    exceptions = [result for result in results if isinstance(result, BaseException)]
    assert exceptions == [], exceptions
    return results


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        self.records: list[str] = []
        self._records_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        with self._records_lock:
            self.records.append(text)


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """Tracebacks of 500s (the API's catch-all handler logs them) and of failed jobs."""
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in ("shiji.api", "huey")]
    for logger in loggers:
        logger.addHandler(collector)
    yield collector.records
    for logger in loggers:
        logger.removeHandler(collector)


def report(*context: Any, errors: Sequence[str]) -> str:
    """An assertion message: what was seen, then the logged tracebacks of any 500s."""
    return "\n".join([*map(repr, context), *errors])


def signed_delivery(event: dict[str, Any]) -> Callable[[], Any]:
    """The provider's servers delivering ``event`` to the webhook (signed now, sent later)."""
    body = json.dumps(event, separators=(",", ":")).encode()
    header = sign(body, settings.SHIJI_SANDBOX_PAYMENT_SECRET)

    def deliver() -> Any:
        return Client().post(WEBHOOK, data=body, content_type="application/json", headers={SIGNATURE_HEADER: header})

    return deliver


def customer_pays_callback_in_flight(order: Order, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The buyer pays at the sandbox checkout; the provider's payment.succeeded callback is
    held back (returned) instead of being delivered, so a test can deliver it when it likes."""
    sent: list[dict[str, Any]] = []
    payment = Payment.objects.get(order=order)
    with monkeypatch.context() as patch:
        patch.setattr(payment_tasks, "sandbox_callback_deliver", sent.append)
        sandbox_customer_pays(payment_id=payment.pk, outcome="succeeded")
    assert [event["type"] for event in sent] == ["payment.succeeded"]
    return sent[0]


def assert_ledger_sound() -> None:
    report = ledger_check()
    assert (report.balanced, report.escrow_matches_orders, report.payouts_match) == (True, True, True), report.problems


def assert_captured_once(order: Order) -> None:
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.SUCCEEDED
    assert JournalEntry.objects.filter(kind="payment.capture").count() == 1
    assert JournalEntry.objects.filter(key=f"capture:{payment.pk}").exists()
    assert order.captured_minor == order.total_minor
    assert balance(escrow_account(order.pk), order.currency).minor == order.total_minor
    assert OrderEvent.objects.filter(subject=order, to_state=OrderStatus.PAID).count() == 1
    assert PaymentEvent.objects.filter(subject=payment, to_state=PaymentStatus.SUCCEEDED).count() == 1
    assert_ledger_sound()


# --- payouts -----------------------------------------------------------------------------------


def test_fifty_payouts_that_together_exceed_the_balance_never_overdraw_it(server_errors):
    """The seller's money comes from a real sale: paid, shipped, completed (escrow released to
    the verified seller's available balance). Only ``fits`` of the 50 payouts fit."""
    threads_count, fits = 50, 7
    seller = seller_jp()
    order = pay(order_placed(listing=listing_jp(seller, price={"amount": "20000", "currency": "JPY"})))
    order_complete(order_id=mark_shipped(order).pk)
    initial = balance(user_account(seller.pk), "JPY").minor
    amount = initial // fits
    if amount % 100 == 13:  # the sandbox bank rejects those; this test is about the balance
        amount -= 1
    assert amount >= 1000 and amount * fits <= initial < amount * (fits + 1)
    token = token_create(user=seller)
    body = {"amount": {"amount": str(amount), "currency": "JPY"}}

    def withdraw(n: int) -> Callable[[], Any]:
        headers = {"Idempotency-Key": f"payout-{n}"} if n % 2 == 0 else {}  # half without a key
        return lambda: ApiClient(token).post("/me/payouts", body, headers=headers)

    responses = race([withdraw(n) for n in range(threads_count)])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: fits, 422: threads_count - fits}, report(statuses, errors=server_errors)
    refused = {r.json()["error"]["code"] for r in responses if r.status_code == 422}
    assert refused == {"insufficient_funds"}
    left = balance(user_account(seller.pk), "JPY").minor
    assert left == initial - fits * amount >= 0
    payouts = list(Payout.objects.filter(user=seller))
    assert len(payouts) == fits  # the refused requests left no payout behind
    assert {p.pk for p in payouts} == {r.json()["id"] for r in responses if r.status_code == 201}
    assert {p.status for p in payouts} == {PayoutStatus.PAID}  # sent and confirmed by the provider
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY").minor == 0
    assert JournalEntry.objects.filter(kind="payout.requested").count() == fits
    assert JournalEntry.objects.filter(kind="payout.paid").count() == fits
    assert_ledger_sound()
    assert server_errors == [], report(errors=server_errors)


# --- duplicate callbacks -----------------------------------------------------------------------


def test_one_payment_callback_delivered_twenty_times_at_once_captures_once(monkeypatch, server_errors):
    threads_count = 20
    order = order_placed()
    event = customer_pays_callback_in_flight(order, monkeypatch)

    responses = race([signed_delivery(event)] * threads_count)

    assert [r.status_code for r in responses] == [200] * threads_count, report(errors=server_errors)
    results = Counter(r.json()["result"] for r in responses)
    assert results == {"applied": 1, "duplicate": threads_count - 1}
    assert ProviderCallback.objects.filter(event_id=event["id"]).count() == 1
    assert_captured_once(order)
    assert server_errors == [], report(errors=server_errors)


def test_twenty_different_callbacks_reporting_one_capture_at_once_capture_once(monkeypatch, server_errors):
    threads_count = 20
    order = order_placed()
    event = customer_pays_callback_in_flight(order, monkeypatch)
    events = [{**event, "id": f"{event['id']}_{n}"} for n in range(threads_count)]

    responses = race([signed_delivery(e) for e in events])

    assert [r.status_code for r in responses] == [200] * threads_count, report(errors=server_errors)
    assert {r.json()["result"] for r in responses} == {"applied"}
    assert ProviderCallback.objects.count() == threads_count  # every event recorded once
    assert_captured_once(order)
    assert server_errors == [], report(errors=server_errors)
