"""The carrier-adapter interface. The sandbox implements it; a real carrier (Japan Post, SF,
Yamato, DHL…) plugs in behind the same methods, named by ``Carrier.adapter``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, NamedTuple

from shiji.shipping.models import Shipment

Address = Mapping[str, Any]  # {name, line1, line2?, city, region?, postal_code, country, phone}


class Label(NamedTuple):
    tracking_number: str
    data: bytes
    content_type: str  # "image/png" or "application/pdf"


class CarrierAdapter(ABC):
    """Each method is safe to call again for the same shipment: carriers dedupe by our id."""

    name: str

    @abstractmethod
    def create_label(
        self, shipment: Shipment, ship_from: Address, ship_to: Address, declaration: Mapping[str, Any]
    ) -> Label:
        """Book the parcel with the carrier: its tracking number and the label to print."""

    @abstractmethod
    def verify_callback(self, *, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise ``BadSignature`` unless the callback really comes from this carrier."""
