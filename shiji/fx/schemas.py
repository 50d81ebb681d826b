from __future__ import annotations

from ninja import Schema
from pydantic import Field


class RateOut(Schema):
    base: str
    quote: str
    rate: str
    source: str
    as_of: str | None


class RateIn(Schema):
    base: str = Field(max_length=8)
    quote: str = Field(max_length=8)
    rate: str = Field(max_length=40)
    source: str = Field(max_length=200)
