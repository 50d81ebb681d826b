"""The shipping router (carrier webhook and the sandbox scanner), mounted on an API of its own
here with the project's error handlers — ``shiji.api.main`` mounts the same router."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from shiji.accounts.roles import Role
from shiji.accounts.services import token_create
from shiji.accounts.tests.factories import UserFactory
from shiji.api.auth import AUTH
from shiji.api.errors import install_error_handlers
from shiji.shipping.api import router, shipment_out, timeline_out
from shiji.shipping.models import Shipment
from shiji.shipping.selectors import shipment_timeline
from shiji.shipping.tests.factories import carrier_event, encode, shipment, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> TestClient:
    api = NinjaAPI(urls_namespace="shipping-test", auth=AUTH)
    install_error_handlers(api)
    api.add_router("/", router)
    return TestClient(api)


@pytest.fixture
def parcel() -> Shipment:
    return shipment()


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(user=user)}"}


def test_webhook_applies_a_signed_event(client: TestClient, parcel: Shipment) -> None:
    body = encode(carrier_event(parcel.tracking_number, "in_transit", at=timezone.now(), location="Tokyo"))
    response = client.post("/webhooks/carriers/sandbox", data=body, headers=signed(body))
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "result": "applied"}
    again = client.post("/webhooks/carriers/sandbox", data=body, headers=signed(body))
    assert (again.status_code, again.json()["result"]) == (200, "duplicate")
    parcel.refresh_from_db()
    assert parcel.status == "in_transit"


def test_webhook_bad_signature_is_400_bad_signature(client: TestClient, parcel: Shipment) -> None:
    body = encode(carrier_event(parcel.tracking_number, "delivered", at=timezone.now()))
    response = client.post("/webhooks/carriers/sandbox", data=body, headers=signed(body, secret="nope"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    parcel.refresh_from_db()
    assert parcel.status == "label_created"


def test_webhook_unknown_parcel_is_400_bad_callback(client: TestClient) -> None:
    body = encode(carrier_event("SB000000005JP", "delivered", at=timezone.now()))
    response = client.post("/webhooks/carriers/sandbox", data=body, headers=signed(body))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_callback")


def test_webhook_unknown_carrier_is_404(client: TestClient) -> None:
    response = client.post("/webhooks/carriers/nobody", data=b"{}", headers=signed(b"{}"))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def test_staff_advance_a_sandbox_parcel(client: TestClient, parcel: Shipment) -> None:
    staff = UserFactory(roles=[Role.ADMIN])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/shipping/sandbox/{parcel.tracking_number}/advance",
            json={"status": "customs", "location": "Shanghai Pudong"},
            headers=bearer(staff),
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tracking_number"], body["status"], body["location"]) == (
        parcel.tracking_number,
        "customs",
        "Shanghai Pudong",
    )
    parcel.refresh_from_db()
    assert parcel.status == "customs"  # the callback came back through the queue


def test_advance_validates_and_guards(client: TestClient, parcel: Shipment, settings: Any) -> None:
    path = f"/shipping/sandbox/{parcel.tracking_number}/advance"
    staff = UserFactory(roles=[Role.ADMIN])
    assert client.post(path, json={"status": "in_transit"}).status_code == 401
    member = client.post(path, json={"status": "in_transit"}, headers=bearer(UserFactory()))
    assert (member.status_code, member.json()["error"]["code"]) == (403, "forbidden")
    bad = client.post(path, json={"status": "teleported"}, headers=bearer(staff))
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid")
    missing = client.post(
        "/shipping/sandbox/SB000000005JP/advance", json={"status": "in_transit"}, headers=bearer(staff)
    )
    assert missing.status_code == 404
    settings.SHIJI_SANDBOX = False
    off = client.post(path, json={"status": "in_transit"}, headers=bearer(staff))
    assert off.status_code == 404


def test_shapes_for_the_orders_api(parcel: Shipment) -> None:
    out = shipment_out(parcel, language="ja")
    assert out["tracking_number"] == parcel.tracking_number
    assert out["service"] == "jp-ems" and out["carrier"] == "sandbox-post"
    assert out["service_name"] == "EMS（国際スピード郵便）"
    assert out["label_url"] == f"/api/v1/orders/{parcel.order_id}/label"
    assert out["postage"] == {"amount": "1800", "currency": "JPY"}
    assert out["customs_declaration"]["hs_code"] == "620442"
    assert out["created_at"].endswith("Z") and out["delivered_at"] is None
    events = timeline_out(shipment_timeline(parcel.order_id))
    assert [e["status"] for e in events] == ["label_created"]
    assert events[0]["at"].endswith("Z")


def test_openapi_schema_builds() -> None:
    api = NinjaAPI(urls_namespace="shipping-schema", auth=AUTH)
    api.add_router("/", router)
    paths = api.get_openapi_schema(path_prefix="")["paths"]
    assert "/webhooks/carriers/{carrier}" in paths
    assert "/shipping/sandbox/{tracking_number}/advance" in paths
