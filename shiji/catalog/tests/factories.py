"""Listings made through the real services (so validation and events are exercised too)."""

from __future__ import annotations

import io
from typing import Any

from shiji.accounts.models import User
from shiji.catalog import services
from shiji.catalog.models import Listing
from shiji.core.tests import images
from shiji.fx.services import fx_rate_set


def listing_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "dresses",
        "title": {"ja": "昭和レトロ 花柄ワンピース"},
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
        "story": "祖母の写真に似ていた一着。",
        "tags": ["古着", "vintage"],
    }
    data.update(overrides)
    return data


def draft(seller: User, **overrides: Any) -> Listing:
    return services.listing_create(seller=seller, data=listing_data(**overrides))


def published(seller: User, photos: int = 1, **overrides: Any) -> Listing:
    listing = draft(seller, **overrides)
    for _ in range(photos):
        services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(images.png(mode="RGB")))
    services.listing_publish(seller=seller, listing_id=listing.id)
    listing.refresh_from_db()
    return listing


def demo_rates() -> None:
    for quote, rate in {"JPY": "150", "CNY": "7.2", "EUR": "0.9", "KRW": "1400"}.items():
        fx_rate_set(actor=None, base="USD", quote=quote, rate=rate, source="test")
