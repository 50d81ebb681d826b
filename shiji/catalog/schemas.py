"""Input and output schemas of the catalog API (API.md "Catalog and search")."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class MoneyIO(Schema):
    amount: str = Field(max_length=32, examples=["1200"])
    currency: str = Field(max_length=8, examples=["JPY"])


class ListingIn(Schema):
    category: str = Field(max_length=64)
    title: dict[str, str]
    description: dict[str, str] = Field(default_factory=dict)
    original_language: str = Field(max_length=16)
    condition: str = Field(max_length=16)
    price: MoneyIO
    quantity: int
    weight_g: int
    size_cm: list[int] = Field(min_length=3, max_length=3)
    ships_from: str = Field(max_length=8)
    ships_to: list[str] = Field(min_length=1, max_length=250)
    handling_days: int = 3
    story: str = Field(default="", max_length=20000)
    tags: list[str] = Field(default_factory=list, max_length=100)
    hs_code: str = Field(default="", max_length=16)
    is_business: bool = False


class ListingPatchIn(Schema):
    category: str | None = Field(default=None, max_length=64)
    title: dict[str, str] | None = None
    description: dict[str, str] | None = None
    original_language: str | None = Field(default=None, max_length=16)
    condition: str | None = Field(default=None, max_length=16)
    price: MoneyIO | None = None
    quantity: int | None = None
    weight_g: int | None = None
    size_cm: list[int] | None = Field(default=None, min_length=3, max_length=3)
    ships_from: str | None = Field(default=None, max_length=8)
    ships_to: list[str] | None = Field(default=None, min_length=1, max_length=250)
    handling_days: int | None = None
    story: str | None = Field(default=None, max_length=20000)
    tags: list[str] | None = Field(default=None, max_length=100)
    hs_code: str | None = Field(default=None, max_length=16)
    is_business: bool | None = None


class PhotoOut(Schema):
    id: str
    url: str
    thumbnail_url: str
    position: int
    width: int
    height: int


class PhotoOrderIn(Schema):
    photo_ids: list[str] = Field(max_length=12)


class DisplayPriceOut(Schema):
    amount: str
    currency: str
    rate: str
    rate_at: str | None


class SellerOut(Schema):
    id: str
    display_name: str
    country: str
    verification_level: int
    reliable: bool


class CategoryRefOut(Schema):
    id: str
    slug: str
    names: dict[str, str]


class DestinationOut(Schema):
    country: str
    ships: bool
    prohibited: bool
    reason: str | None


class ListingOut(Schema):
    id: str
    status: str
    seller: SellerOut
    category: CategoryRefOut
    title: dict[str, str]
    description: dict[str, str]
    original_language: str
    condition: str
    price: MoneyIO
    quantity: int
    weight_g: int
    size_cm: list[int]
    ships_from: str
    ships_to: list[str]
    handling_days: int
    story: str
    tags: list[str]
    hs_code: str
    is_business: bool
    photos: list[PhotoOut]
    display_price: DisplayPriceOut | None
    destination: DestinationOut | None = None
    suppressed_reason: str | None = None
    created_at: str
    published_at: str | None


class ListingPage(Schema):
    items: list[ListingOut]
    next_cursor: str | None


class SearchPage(Schema):
    items: list[ListingOut]
    next_cursor: str | None
    facets: dict[str, dict[str, int]]


class CategoryOut(Schema):
    id: str
    slug: str
    names: dict[str, str]
    hs_code: str
    children: list[CategoryOut]


class SuppressIn(Schema):
    reason: str = Field(max_length=4000)


CategoryOut.model_rebuild()
