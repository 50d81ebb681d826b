"""The acceptance scenario of the orders issue, through the HTTP API only (plus the sandbox's own
endpoints): a seller in Japan and a buyer in China register, the seller is verified by an identity
reviewer and lists a dress in yen, the buyer quotes and orders in yuan, pays in the sandbox, the
seller ships, the sandbox carrier reports the journey (one event twice, one late), the buyer
confirms receipt, the seller's balance is the price minus commission and the books balance.

Staff accounts are made the way an operator makes them (``shiji createstaff``), then sign in
through ``POST /auth/token``; everything else is a request."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from shiji.core.signatures import SIGNATURE_HEADER, sign
from shiji.core.tests import images
from shiji.orders.tests.factories import SHIP_TO_CN

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def _register(api: Any, **fields: str) -> tuple[Any, dict[str, Any]]:
    body = _ok(api.post("/auth/register", {"password": PASSWORD, **fields}), 201)
    return type(api)(token=body["token"]), body["user"]


def _staff(api: Any, role: str) -> Any:
    email = f"{role}@shiji.example"
    call_command("createstaff", email=email, password=PASSWORD, role=role, stdout=io.StringIO())
    token = _ok(api.post("/auth/token", {"email": email, "password": PASSWORD}))["token"]
    return type(api)(token=token)


def _signed_webhook(api: Any, event: dict[str, Any]) -> Any:
    """What the carrier's servers do: POST the event signed with the carrier's shared secret."""
    body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    header = sign(body, settings.SHIJI_SANDBOX_CARRIER_SECRET)
    return api.client.post(
        "/api/v1/webhooks/carriers/sandbox", body, content_type="application/json", headers={SIGNATURE_HEADER: header}
    )


def test_from_registration_to_the_sellers_balance(api):
    finance = _staff(api, "finance")
    reviewer = _staff(api, "identity_reviewer")
    operations = _staff(api, "admin")  # moves sandbox parcels

    # --- FX rates, as finance sets them -------------------------------------------------------
    for quote, rate in (("JPY", "150"), ("CNY", "7.2")):
        _ok(finance.put("/staff/fx-rates", {"base": "USD", "quote": quote, "rate": rate, "source": "e2e"}))

    # --- two people register --------------------------------------------------------------------
    seller, seller_me = _register(
        api, email="hanako@example.jp", display_name="花子", country="JP", language="ja", currency="JPY"
    )
    buyer, buyer_me = _register(
        api, email="xiaoming@example.cn", display_name="小明", country="CN", language="zh-hans", currency="CNY"
    )
    assert seller_me["verification_level"] == 0
    assert (buyer_me["country"], buyer_me["currency"]) == ("CN", "CNY")

    # --- the seller proves who she is; an identity reviewer approves ------------------------------
    submitted = seller.post_multipart(
        "/me/verification",
        {
            "legal_name": "Sato Hanako",
            "document_type": "passport",
            "document_number": "TK1234567",
            "document_image": SimpleUploadedFile("passport.jpg", images.jpeg_with_gps(), "image/jpeg"),
        },
    )
    verification = _ok(submitted, 202)
    queue = _ok(reviewer.get("/staff/verifications"))["items"]
    assert [item["id"] for item in queue] == [verification["id"]]
    _ok(reviewer.post(f"/staff/verifications/{verification['id']}/decision", {"approve": True, "reason": ""}))
    assert _ok(seller.get("/me"))["verification_level"] == 1

    # --- she lists a dress in yen ---------------------------------------------------------------
    listing = _ok(
        seller.post(
            "/listings",
            {
                "category": "dresses",
                "title": {"ja": "昭和レトロ 花柄ワンピース", "en": "Showa retro floral dress"},
                "description": {"ja": "1970年代の古着です。"},
                "original_language": "ja",
                "condition": "good",
                "price": {"amount": "6800", "currency": "JPY"},
                "quantity": 1,
                "weight_g": 800,
                "size_cm": [30, 25, 8],
                "ships_from": "JP",
                "ships_to": ["*"],
                "handling_days": 3,
            },
        ),
        201,
    )
    photo = SimpleUploadedFile("dress.jpg", images.jpeg_with_gps(), "image/jpeg")
    _ok(seller.post_multipart(f"/listings/{listing['id']}/photos", {"image": photo}), 201)
    assert _ok(seller.post(f"/listings/{listing['id']}/publish"))["status"] == "active"

    # --- the buyer asks for a quote in yuan ----------------------------------------------------
    seen = _ok(buyer.get(f"/listings/{listing['id']}", {"currency": "CNY"}))
    assert seen["display_price"]["currency"] == "CNY"
    quote = _ok(buyer.post("/quotes", {"listing": listing["id"], "quantity": 1, "ship_to": SHIP_TO_CN}), 201)
    lines = quote["lines"]
    assert quote["currency"] == "CNY" and quote["item_seller"] == {"amount": "6800", "currency": "JPY"}
    assert len(quote["options"]) >= 5 and quote["carrier_service"] == quote["options"][0]["carrier_service"]
    assert lines["shipping"] == quote["options"][0]["shipping"]
    assert quote["duties_mode"] == "on_delivery" and quote["regime"] == "cn_postal"  # not DDP: postal tax
    total = sum(Decimal(lines[k]["amount"]) for k in ("item", "shipping", "buyer_fee"))
    assert quote["total"] == {"amount": str(total), "currency": "CNY"}

    # --- she orders it (a retried request does not order twice) and pays in the sandbox --------
    headers = {"Idempotency-Key": "checkout-7f1e2d"}
    order = _ok(buyer.post("/orders", {"quote": quote["id"]}, headers=headers), 201)
    retried = _ok(buyer.post("/orders", {"quote": quote["id"]}, headers=headers), 201)
    assert retried["id"] == order["id"]
    assert order["status"] == "pending_payment" and order["total"] == quote["total"]
    assert _ok(seller.get(f"/orders/{order['id']}"))["ship_to"] is None  # not before payment
    paid = _ok(buyer.post(f"/payments/sandbox/{order['payment']['id']}/complete", {"outcome": "succeeded"}))
    assert paid["outcome"] == "succeeded"
    assert _ok(buyer.get(f"/orders/{order['id']}"))["status"] == "paid"

    # --- the seller ships: label and customs declaration -----------------------------------------
    to_ship = _ok(seller.get(f"/orders/{order['id']}"))
    assert to_ship["ship_to"]["city"] == "上海" and "phone" not in to_ship["ship_to"]
    shipment = _ok(seller.post(f"/orders/{order['id']}/ship"))
    tracking = shipment["tracking_number"]
    declaration = shipment["customs_declaration"]
    assert declaration["contents"] == "Showa retro floral dress"
    assert (declaration["hs_code"], declaration["quantity"], declaration["origin_country"]) == ("620442", 1, "JP")
    assert declaration["unit_value"] == {"amount": "6800", "currency": "JPY"}
    label = seller.get(f"/orders/{order['id']}/label")
    assert label.status_code == 200 and label["Content-Type"] == "image/png"
    assert b"".join(label.streaming_content).startswith(b"\x89PNG")
    assert buyer.get(f"/orders/{order['id']}/label").status_code == 404

    # --- the sandbox carrier reports the journey ------------------------------------------------
    def scan(status: str, location: str, **extra: str) -> dict[str, Any]:
        body = {"status": status, "location": location, **extra}
        return dict(_ok(operations.post(f"/shipping/sandbox/{tracking}/advance", body)))

    first_scan = scan("in_transit", "Tokyo International Exchange")
    scan("customs", "Shanghai Pudong")
    assert _ok(buyer.get(f"/orders/{order['id']}"))["status"] == "shipped"
    delivered = scan("delivered", "Shanghai Pudong New Area")
    assert _ok(buyer.get(f"/orders/{order['id']}"))["status"] == "delivered"
    # The carrier sends the delivery event again: a no-op.
    again = _signed_webhook(api, delivered)
    assert _ok(again) == {"received": True, "result": "duplicate"}
    # A scan from before delivery arrives after it: kept for the timeline, the order stays delivered.
    late = scan("in_transit", "Shanghai hub", at=first_scan["at"])
    assert late["status"] == "in_transit"
    view = _ok(buyer.get(f"/orders/{order['id']}"))
    assert view["status"] == "delivered"
    assert view["shipment"]["status"] == "delivered"
    assert [e["status"] for e in view["timeline"]].count("delivered") == 1
    assert len(view["timeline"]) == 5  # label, in transit, customs, delivered, the late scan
    assert [e["to"] for e in view["events"]] == ["pending_payment", "paid", "shipped", "delivered"]

    # --- the buyer confirms receipt -----------------------------------------------------------
    done = _ok(buyer.post(f"/orders/{order['id']}/confirm"))
    assert done["status"] == "completed"

    # --- the seller is paid the price minus commission, in yen ----------------------------------
    commission = (Decimal(6800) * Decimal(settings.SHIJI_COMMISSION_PERCENT) / 100).quantize(
        Decimal(1), rounding=ROUND_HALF_EVEN
    )
    assert commission == 544  # 8 %
    balances = _ok(seller.get("/me/balances"))
    assert balances == [{"currency": "JPY", "available": str(6800 - commission), "pending": "0"}]
    seller_view = _ok(seller.get(f"/orders/{order['id']}"))
    assert seller_view["seller_proceeds"] == {"amount": "6256", "currency": "JPY"}
    assert _ok(buyer.get("/me/balances")) == []

    # --- and the books prove it ----------------------------------------------------------------
    report = _ok(finance.get("/staff/ledger/check"))
    assert report["balanced"] is True
    assert report["escrow_matches_orders"] is True
    assert report["problems"] == []
    assert report["entries"] == 3  # capture, remit of the postage on shipping, release on completion
    assert buyer.get("/staff/ledger/check").status_code == 403
    kinds = {n["kind"] for n in _ok(buyer.get("/me/notifications"))["items"]}
    assert {"order.paid.buyer", "order.shipped.buyer", "order.delivered.buyer", "order.completed.buyer"} <= kinds
