"""Schemas of the shipping endpoints, and the shipment shapes the orders API embeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shiji.catalog.schemas import MoneyIO

CallbackStatusIO = Literal["in_transit", "customs", "out_for_delivery", "delivered", "exception"]


class CarrierCallbackOut(Schema):
    received: bool
    result: str  # applied | recorded | duplicate


class SandboxAdvanceIn(Schema):
    status: CallbackStatusIO
    location: str = Field("", max_length=120)
    at: datetime | None = None  # when it happened (default now); earlier times simulate late events


class SandboxAdvanceOut(Schema):
    id: str
    tracking_number: str
    status: str
    at: str
    location: str


class TrackingEventOut(Schema):
    at: str
    status: str
    status_label: str
    location: str


class ShipmentOut(Schema):
    id: str
    carrier: str
    service: str
    service_name: str
    tracking_number: str
    status: str
    label_url: str | None
    postage: MoneyIO
    chargeable_weight_g: int
    customs_declaration: dict[str, Any]
    created_at: str
    delivered_at: str | None
