"""The order's tracking timeline and the staff queue of stale parcels (PRODUCT.md §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from shiji.shipping.callbacks import carrier_callback_receive
from shiji.shipping.models import Shipment, TrackingEvent
from shiji.shipping.selectors import shipment_timeline, shipments_stale
from shiji.shipping.tests.factories import carrier_event, encode, shipment, signed

pytestmark = pytest.mark.django_db


def _event(parcel: Shipment, status: str, *, days_ago: float) -> None:
    body = encode(carrier_event(parcel.tracking_number, status, at=timezone.now() - timedelta(days=days_ago)))
    carrier_callback_receive(carrier="sandbox", body=body, headers=signed(body))


def _shipped(days_ago: float) -> Shipment:
    parcel = shipment()
    then = timezone.now() - timedelta(days=days_ago)
    Shipment.objects.filter(pk=parcel.pk).update(created_at=then, status_at=then, last_event_at=then)
    TrackingEvent.objects.filter(shipment=parcel).update(at=then, received_at=then)  # the label's
    parcel.refresh_from_db()
    return parcel


def test_timeline_of_an_order_that_has_not_shipped_is_empty() -> None:
    assert shipment_timeline("ord_nothing") == []


def test_timeline_is_sorted_by_when_things_happened_and_speaks_the_language() -> None:
    parcel = _shipped(10)
    _event(parcel, "customs", days_ago=2)
    _event(parcel, "in_transit", days_ago=5)
    timeline = shipment_timeline(parcel.order_id)
    assert [e.status for e in timeline] == ["label_created", "in_transit", "customs"]
    with translation.override("en"):
        assert [str(e.get_status_display()) for e in timeline] == ["Label created", "In transit", "In customs"]


def test_timeline_takes_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    parcel = _shipped(3)
    _event(parcel, "in_transit", days_ago=2)
    with django_assert_num_queries(1):
        shipment_timeline(parcel.order_id)


def test_no_tracking_update_for_30_days_is_stale() -> None:
    quiet = _shipped(31)  # label made 31 days ago, nothing since
    moving = _shipped(40)
    _event(moving, "in_transit", days_ago=3)
    fresh = _shipped(2)
    delivered = _shipped(60)
    _event(delivered, "delivered", days_ago=45)
    stuck = _shipped(50)
    _event(stuck, "exception", days_ago=35)
    assert list(shipments_stale()) == [stuck, quiet]  # oldest update first
    assert moving not in shipments_stale() and fresh not in shipments_stale()
    assert set(shipments_stale(days=1)) == {quiet, moving, fresh, stuck}
    assert list(shipments_stale(days=30, now=timezone.now() + timedelta(days=30))) == [stuck, quiet, moving, fresh]


def test_a_late_arriving_old_event_does_not_make_a_parcel_fresh() -> None:
    parcel = _shipped(40)
    _event(parcel, "in_transit", days_ago=38)  # received today, but it happened 38 days ago
    assert list(shipments_stale()) == [parcel]
