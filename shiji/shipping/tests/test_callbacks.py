"""Carrier tracking callbacks (API.md "Signed callbacks"; issue 5): verified, recorded once by
event id, tolerant of disorder, and ``shipment_delivered`` sent exactly once.

Most tests sign bodies themselves, as the carrier's servers would; the last ones let the sandbox
carrier deliver through the job queue (Huey immediate mode, run on commit)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from shiji.core.errors import InvalidInput, NotFound
from shiji.core.signatures import SIGNATURE_HEADER, BadSignature
from shiji.shipping.callbacks import carrier_callback_receive
from shiji.shipping.carriers import sandbox
from shiji.shipping.carriers.sandbox import sandbox_carrier_advance, sandbox_carrier_redeliver
from shiji.shipping.errors import BadCarrierCallback
from shiji.shipping.models import SandboxParcel, Shipment, TrackingEvent
from shiji.shipping.selectors import shipment_timeline
from shiji.shipping.signals import shipment_delivered
from shiji.shipping.states import ShipmentStatus
from shiji.shipping.tests.factories import carrier_event, encode, shipment, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel() -> Shipment:
    return shipment()


@pytest.fixture
def delivered_calls() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append({"sender": sender, "in_transaction": connection.in_atomic_block, **kwargs})

    shipment_delivered.connect(receiver, dispatch_uid="test-delivered")
    yield calls
    shipment_delivered.disconnect(dispatch_uid="test-delivered")


def receive(event: dict[str, Any], **sign_kwargs: Any) -> str:
    body = encode(event)
    return carrier_callback_receive(carrier="sandbox", body=body, headers=signed(body, **sign_kwargs))


def post(parcel: Shipment, status: str, minutes: int, **kwargs: Any) -> str:
    """A callback for an event that happened ``minutes`` after the label was made."""
    at = parcel.created_at + timedelta(minutes=minutes)
    return receive(carrier_event(parcel.tracking_number, status, at=at, **kwargs))


def state(parcel: Shipment) -> tuple[str, str]:
    parcel.refresh_from_db()
    return parcel.status, parcel.progress


def statuses(parcel: Shipment) -> list[str]:
    return [e.status for e in shipment_timeline(parcel.order_id)]


# --- signatures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE_HEADER: "t=1,v1=00"},
        "wrong-secret",
        "too-old",
    ],
)
def test_bad_signature_is_400_and_nothing_changes(parcel: Shipment, headers: Any) -> None:
    body = encode(carrier_event(parcel.tracking_number, "delivered", at=timezone.now()))
    if headers == "wrong-secret":
        headers = signed(body, secret="not-the-secret")
    elif headers == "too-old":
        headers = signed(body, timestamp=int(time.time()) - 301)
    with pytest.raises(BadSignature) as caught:
        carrier_callback_receive(carrier="sandbox", body=body, headers=headers)
    assert (caught.value.status, caught.value.code) == (400, "bad_signature")
    assert state(parcel) == ("label_created", "label_created")
    assert TrackingEvent.objects.filter(shipment=parcel).count() == 1  # the label's own


def test_a_signature_for_another_body_does_not_pass(parcel: Shipment) -> None:
    body = encode(carrier_event(parcel.tracking_number, "delivered", at=timezone.now()))
    other = encode(carrier_event(parcel.tracking_number, "in_transit", at=timezone.now()))
    with pytest.raises(BadSignature):
        carrier_callback_receive(carrier="sandbox", body=body, headers=signed(other))
    assert state(parcel)[0] == "label_created"


def test_unknown_carrier_is_404(parcel: Shipment) -> None:
    body = encode(carrier_event(parcel.tracking_number, "delivered", at=timezone.now()))
    with pytest.raises(NotFound):
        carrier_callback_receive(carrier="dhl", body=body, headers=signed(body))


@pytest.mark.parametrize(
    "change",
    [
        {"status": "lost_in_space"},
        {"status": "label_created"},  # ours, not the carrier's
        {"id": ""},
        {"tracking_number": "SB000000005JP"},  # no such shipment
        {"at": "yesterday"},
        {"at": "2026-01-01T10:00:00"},  # no time zone
        {"location": 12},
    ],
)
def test_signed_but_unusable_callbacks_are_400_bad_callback(parcel: Shipment, change: dict[str, Any]) -> None:
    event = {**carrier_event(parcel.tracking_number, "in_transit", at=timezone.now()), **change}
    with pytest.raises(BadCarrierCallback) as caught:
        receive(event)
    assert (caught.value.status, caught.value.code) == (400, "bad_callback")
    assert state(parcel)[0] == "label_created"


def test_events_from_the_far_future_are_refused(parcel: Shipment) -> None:
    with pytest.raises(BadCarrierCallback):
        receive(carrier_event(parcel.tracking_number, "in_transit", at=timezone.now() + timedelta(days=2)))


def test_body_that_is_not_an_object_is_refused(parcel: Shipment) -> None:
    for body in (b"[]", b"not json", b"\xff\xfe"):
        with pytest.raises(BadCarrierCallback):
            carrier_callback_receive(carrier="sandbox", body=body, headers=signed(body))


# --- idempotency and order ----------------------------------------------------------------------


def test_the_journey_in_order(parcel: Shipment) -> None:
    assert post(parcel, "in_transit", 60, location="Tokyo") == "applied"
    assert state(parcel) == ("in_transit", "in_transit")
    assert post(parcel, "customs", 120, location="Shanghai") == "applied"
    assert post(parcel, "out_for_delivery", 180) == "applied"
    assert post(parcel, "delivered", 240) == "applied"
    assert state(parcel) == ("delivered", "delivered")
    assert parcel.delivered_at == parcel.created_at + timedelta(minutes=240)
    assert parcel.last_event_at == parcel.delivered_at
    assert statuses(parcel) == ["label_created", "in_transit", "customs", "out_for_delivery", "delivered"]


def test_duplicate_event_id_is_a_no_op(parcel: Shipment) -> None:
    event = carrier_event(parcel.tracking_number, "in_transit", at=parcel.created_at + timedelta(minutes=5))
    assert receive(event) == "applied"
    assert receive(event) == "duplicate"
    # Even if the carrier changed its mind about the content, the id was seen: nothing happens.
    assert receive({**event, "status": "delivered"}) == "duplicate"
    assert state(parcel) == ("in_transit", "in_transit")
    assert TrackingEvent.objects.filter(shipment=parcel, event_id=event["id"]).count() == 1


def test_late_in_transit_never_overrides_delivered(parcel: Shipment, delivered_calls: list) -> None:
    assert post(parcel, "delivered", 300) == "applied"
    assert post(parcel, "in_transit", 60) == "recorded"  # happened earlier, arrived later
    assert state(parcel) == ("delivered", "delivered")
    # Both are on the timeline, in the order they happened.
    assert statuses(parcel) == ["label_created", "in_transit", "delivered"]
    applied = dict(TrackingEvent.objects.filter(shipment=parcel).values_list("status", "applied"))
    assert applied == {"label_created": True, "in_transit": False, "delivered": True}
    assert len(delivered_calls) == 1


def test_lower_rank_never_moves_back(parcel: Shipment) -> None:
    post(parcel, "customs", 120)
    assert post(parcel, "in_transit", 200) == "recorded"  # even when stamped later
    assert state(parcel) == ("customs", "customs")


def test_exception_after_delivered_does_not_undo_it(parcel: Shipment) -> None:
    post(parcel, "delivered", 300)
    assert post(parcel, "exception", 400, location="Shanghai depot") == "recorded"
    assert state(parcel) == ("delivered", "delivered")
    assert statuses(parcel)[-1] == "exception"


def test_exception_then_the_journey_resumes(parcel: Shipment) -> None:
    post(parcel, "in_transit", 60)
    assert post(parcel, "exception", 120) == "applied"
    assert state(parcel) == ("exception", "in_transit")
    # An event from before the problem (arriving late) does not clear it, though progress is noted.
    assert post(parcel, "customs", 90) == "recorded"
    assert state(parcel) == ("exception", "customs")
    # A later scan at the same stage clears it.
    assert post(parcel, "customs", 150) == "applied"
    assert state(parcel) == ("customs", "customs")


def test_an_exception_older_than_the_current_status_is_only_recorded(parcel: Shipment) -> None:
    post(parcel, "customs", 120)
    assert post(parcel, "exception", 100) == "recorded"
    assert state(parcel) == ("customs", "customs")


def test_delivered_wins_over_an_exception_even_when_stamped_earlier(parcel: Shipment) -> None:
    post(parcel, "exception", 300)
    assert post(parcel, "delivered", 200) == "applied"
    assert state(parcel) == ("delivered", "delivered")


def test_last_event_at_is_the_latest_carrier_time(parcel: Shipment) -> None:
    post(parcel, "customs", 120)
    post(parcel, "in_transit", 60)
    parcel.refresh_from_db()
    assert parcel.last_event_at == parcel.created_at + timedelta(minutes=120)


# --- the delivered hook ---------------------------------------------------------------------------


def test_shipment_delivered_is_sent_exactly_once(parcel: Shipment, delivered_calls: list) -> None:
    at = parcel.created_at + timedelta(minutes=240)
    first = carrier_event(parcel.tracking_number, "delivered", at=at)
    receive(first)
    receive(first)  # the same callback again
    post(parcel, "delivered", 250)  # a second delivery scan with its own id
    post(parcel, "exception", 260)
    assert len(delivered_calls) == 1
    call = delivered_calls[0]
    assert call["sender"] is Shipment
    assert call["order_id"] == parcel.order_id
    assert call["shipment"].pk == parcel.pk
    assert call["at"] == at
    assert call["in_transaction"] is True


def test_a_failing_receiver_rolls_the_event_back(parcel: Shipment) -> None:
    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("orders could not record the delivery")

    shipment_delivered.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            post(parcel, "delivered", 240)
    finally:
        shipment_delivered.disconnect(dispatch_uid="test-broken")
    assert state(parcel)[0] == "label_created"
    assert statuses(parcel) == ["label_created"]
    assert post(parcel, "delivered", 240) == "applied"  # the carrier's retry then goes through


# --- the sandbox carrier, end to end through the queue ------------------------------------------


def test_sandbox_emits_signed_events_only_when_told(parcel: Shipment, delivered_calls: list) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        pass
    assert callbacks == []  # making the label sent nothing
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_carrier_advance(parcel.tracking_number, "in_transit", "Tokyo International")
    assert state(parcel)[0] == "in_transit"
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_carrier_advance(parcel.tracking_number, "customs", "Shanghai Pudong")
        delivered = sandbox_carrier_advance(parcel.tracking_number, "delivered", "Shanghai")
    assert state(parcel)[0] == "delivered"
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_carrier_redeliver(delivered)  # the carrier retries: a no-op
    assert len(delivered_calls) == 1
    assert TrackingEvent.objects.filter(shipment=parcel).count() == 4
    books = SandboxParcel.objects.get(pk=parcel.tracking_number)
    assert (books.status, books.events_sent) == ("delivered", 3)
    assert [e.location for e in shipment_timeline(parcel.order_id)][1:] == [
        "Tokyo International",
        "Shanghai Pudong",
        "Shanghai",
    ]


def test_sandbox_events_go_out_only_after_commit(parcel: Shipment, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(sandbox, "_send", sent.append)
    event = sandbox_carrier_advance(parcel.tracking_number, "in_transit", "Tokyo")
    assert sent == [event]
    assert set(event) == {"id", "tracking_number", "status", "at", "location"}
    assert event["at"].endswith("Z")
    assert state(parcel)[0] == "label_created"  # nothing arrives until the callback is delivered


def test_sandbox_out_of_order_with_explicit_times(parcel: Shipment) -> None:
    delivered_at: datetime = timezone.now() + timedelta(seconds=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox_carrier_advance(parcel.tracking_number, "delivered", "Shanghai", at=delivered_at)
        sandbox_carrier_advance(
            parcel.tracking_number, "in_transit", "Tokyo", at=parcel.created_at + timedelta(microseconds=1)
        )
    assert state(parcel) == ("delivered", "delivered")
    assert statuses(parcel) == ["label_created", "in_transit", "delivered"]


def test_sandbox_refuses_what_a_carrier_would_not_send(parcel: Shipment) -> None:
    with pytest.raises(InvalidInput):
        sandbox_carrier_advance(parcel.tracking_number, "teleported", "")
    with pytest.raises(NotFound):
        sandbox_carrier_advance("SB000000005JP", "in_transit", "")
    with pytest.raises(InvalidInput):
        sandbox_carrier_advance(parcel.tracking_number, "in_transit", "", at=datetime(2026, 1, 1))  # naive
    with pytest.raises(InvalidInput):
        sandbox_carrier_advance(parcel.tracking_number, "in_transit", "", at=timezone.now() + timedelta(days=2))
    with pytest.raises(InvalidInput):
        sandbox_carrier_advance(parcel.tracking_number, "in_transit", "x" * 121)


def test_sandbox_is_off_outside_the_sandbox(parcel: Shipment, settings: Any) -> None:
    settings.SHIJI_SANDBOX = False
    with pytest.raises(NotFound):
        sandbox_carrier_advance(parcel.tracking_number, "in_transit", "")
    body = encode(carrier_event(parcel.tracking_number, "in_transit", at=timezone.now()))
    with pytest.raises(NotFound):
        carrier_callback_receive(carrier="sandbox", body=body, headers=signed(body))
    assert state(parcel)[0] == ShipmentStatus.LABEL_CREATED


def test_an_exception_older_than_any_scan_so_far_stays_history(parcel: Shipment) -> None:
    post(parcel, "in_transit", 120)
    post(parcel, "customs", 60)  # a further stage, stamped earlier (carrier clocks differ)
    assert state(parcel) == ("customs", "customs")
    assert post(parcel, "exception", 90) == "recorded"  # older than the in_transit scan at 120
    assert state(parcel) == ("customs", "customs")
