"""Schemas of the orders API (API.md "Orders, payments, shipping")."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from shiji.catalog.schemas import MoneyIO
from shiji.shipping.schemas import ShipmentOut, TrackingEventOut


class ShipToIn(Schema):
    name: str = Field(max_length=200)
    line1: str = Field(max_length=400)
    line2: str | None = Field(default=None, max_length=400)
    city: str = Field(max_length=200)
    region: str | None = Field(default=None, max_length=200)
    postal_code: str = Field(max_length=40)
    country: str = Field(max_length=8)
    phone: str = Field(max_length=60)


class QuoteIn(Schema):
    listing: str = Field(max_length=40)
    quantity: int = 1
    ship_to: ShipToIn
    carrier_service: str | None = Field(default=None, max_length=40)
    currency: str | None = Field(default=None, max_length=8)


class QuoteLines(Schema):
    item: MoneyIO
    shipping: MoneyIO
    duties: MoneyIO
    taxes: MoneyIO
    buyer_fee: MoneyIO


class TransitDays(Schema):
    min: int
    max: int


class QuoteOption(Schema):
    carrier_service: str
    name: str
    shipping: MoneyIO
    transit_days: TransitDays
    ddp: bool
    tracked: bool
    chargeable_weight_g: int


class QuoteOut(Schema):
    id: str
    listing: str
    quantity: int
    expires_at: str
    currency: str
    fx_rate: str
    fx_mid_rate: str
    fx_source: str
    fx_as_of: str
    item_seller: MoneyIO
    lines: QuoteLines
    total: MoneyIO
    duties_mode: str
    regime: str | None
    carrier_service: str | None
    chargeable_weight_g: int
    options: list[QuoteOption]
    rule_ids: list[str]
    customs: dict[str, Any] | None


class OrderIn(Schema):
    quote: str = Field(max_length=40)


class PaymentOut(Schema):
    id: str
    provider: str
    status: str
    client_secret: str | None
    amount: MoneyIO


class EventOut(Schema):
    at: str
    actor: str | None
    from_: str = Field(alias="from")
    to: str
    note: str


class RefundOut(Schema):
    id: str
    order: str
    amount: MoneyIO
    status: str
    reason: str
    created_at: str


class OrderOut(Schema):
    id: str
    status: str
    listing: str
    quantity: int
    buyer: str
    seller: str
    currency: str
    lines: QuoteLines
    total: MoneyIO
    item_seller: MoneyIO
    fx_rate: str
    duties_mode: str
    refunded: MoneyIO
    payment: PaymentOut | None
    refunds: list[RefundOut]
    events: list[EventOut]
    ship_to: dict[str, str] | None
    shipment: ShipmentOut | None
    customs: dict[str, Any] | None
    timeline: list[TrackingEventOut]
    carrier_service: str | None
    review_requested_at: str | None
    seller_proceeds: MoneyIO | None
    commission: MoneyIO | None
    created_at: str
    expires_at: str | None


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class CancelIn(Schema):
    reason: str = Field(default="", max_length=500)


class RefundIn(Schema):
    amount: MoneyIO
    reason: str = Field(default="", max_length=500)
