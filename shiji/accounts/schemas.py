"""Input and output schemas of the accounts API, one pair per operation."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class RegisterIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    display_name: str = Field(max_length=200)
    country: str = Field(max_length=8)
    language: str = Field(max_length=16)
    currency: str = Field(max_length=8)


class MeOut(Schema):
    id: str
    email: str
    display_name: str
    country: str
    languages: list[str]
    language: str
    currency: str
    timezone: str
    bio: str
    interests: list[str]
    verification_level: int
    service_score: int
    reliable: bool
    email_confirmed: bool
    roles: list[str]


class RegisterOut(Schema):
    user: MeOut
    token: str


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class TokenOut(Schema):
    token: str


class ProfilePatchIn(Schema):
    display_name: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=16)
    currency: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    bio: str | None = Field(default=None, max_length=4000)
    interests: list[str] | None = Field(default=None, max_length=100)
    languages: list[str] | None = Field(default=None, max_length=10)


class RatingOut(Schema):
    average: float | None
    count: int


class PublicUserOut(Schema):
    id: str
    display_name: str
    country: str
    verification_level: int
    service_score: int
    reliable: bool
    rating: RatingOut
    completed_sales: int
    # Reputation (shiji.reputation): rates are 0..1; on_time_rate is null until something shipped.
    rating_as_seller: RatingOut
    rating_as_buyer: RatingOut
    on_time_rate: float | None
    dispute_rate: float
    bio: str
    languages: list[str]
    member_since: str


class PasswordResetIn(Schema):
    email: str = Field(max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(max_length=100)
    token: str = Field(max_length=100)
    new_password: str = Field(max_length=256)


class EmailConfirmIn(Schema):
    token: str = Field(max_length=500)


class StatusOut(Schema):
    status: str
