"""Tracking callbacks under real concurrency (threads, each with its own connection and real
transactions): the same delivery reported many times at once — one event id repeated, and
several ids — is recorded once per id, and ``shipment_delivered`` fires exactly once."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps

from shiji.core.tests.concurrency import race
from shiji.shipping.callbacks import carrier_callback_receive
from shiji.shipping.models import Shipment, TrackingEvent
from shiji.shipping.signals import shipment_delivered
from shiji.shipping.tests.factories import carrier_event, encode, shipment, signed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _services(transactional_db: None) -> None:
    """Transactional tests empty every table, the seeded services included; put them back."""
    importlib.import_module("shiji.shipping.migrations.0002_seed_carrier_services").seed(apps, None)


@pytest.fixture
def delivered_calls() -> Iterator[list[str]]:
    calls: list[str] = []

    def receiver(sender: Any, *, order_id: str, **kwargs: Any) -> None:
        calls.append(order_id)

    shipment_delivered.connect(receiver, dispatch_uid="test-concurrent-delivered")
    yield calls
    shipment_delivered.disconnect(dispatch_uid="test-concurrent-delivered")


def test_racing_deliveries_apply_once(delivered_calls: list[str]) -> None:
    parcel = shipment()
    at = parcel.created_at + timedelta(hours=2)
    same = encode(carrier_event(parcel.tracking_number, "delivered", at=at))
    others = [encode(carrier_event(parcel.tracking_number, "delivered", at=at)) for _ in range(3)]
    late = encode(carrier_event(parcel.tracking_number, "in_transit", at=at - timedelta(hours=1)))
    bodies = [same] * 4 + others + [late]

    def deliver(body: bytes) -> Callable[[], str]:
        return lambda: carrier_callback_receive(carrier="sandbox", body=body, headers=signed(body))

    results = race([deliver(body) for body in bodies])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    counts = Counter(results)
    assert counts["duplicate"] == 3
    # One delivery applies; the late in_transit applies too only if it won the race to be first.
    assert counts["applied"] in (1, 2)
    assert counts["applied"] + counts["recorded"] == len(bodies) - 3
    assert delivered_calls == [parcel.order_id]
    parcel.refresh_from_db()
    assert parcel.status == "delivered"
    assert parcel.delivered_at == at
    assert TrackingEvent.objects.filter(shipment=parcel).count() == 1 + 1 + 3 + 1
    assert TrackingEvent.objects.filter(shipment=parcel, status="delivered", applied=True).count() == 1
    assert Shipment.objects.count() == 1
