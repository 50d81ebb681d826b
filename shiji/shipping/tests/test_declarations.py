"""The customs declaration (CUSTOMS.md "Shipping data"; PRODUCT.md §6)."""

from __future__ import annotations

from typing import Any

import pytest

from shiji.core.errors import InvalidInput
from shiji.core.money import Money
from shiji.shipping.declarations import customs_declaration


def test_a_complete_declaration() -> None:
    declared = customs_declaration("Vintage cotton dress", "620442", 2, Money(1250, "CNY"), "JP")
    assert declared == {
        "contents": "Vintage cotton dress",
        "hs_code": "620442",
        "quantity": 2,
        "unit_value": {"amount": "12.50", "currency": "CNY"},
        "total_value": {"amount": "25.00", "currency": "CNY"},
        "origin_country": "JP",
        "gift": False,
        "type": "sale",
    }
    assert customs_declaration("Ceramic tea cup", "6912.00", 1, Money(3000, "JPY"), "JP", gift=True)["type"] == "gift"


def test_hs_code_written_with_a_dot_is_accepted() -> None:
    assert customs_declaration("Manga books", " 4901.99 ", 1, Money(800, "JPY"), "JP")["hs_code"] == "490199"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hs_code": "62044"}, "hs_code"),
        ({"hs_code": "6204421"}, "hs_code"),
        ({"hs_code": "62O442"}, "hs_code"),
        ({"hs_code": "６２０４４２"}, "hs_code"),  # full-width digits
        ({"contents_en": "古着のワンピース"}, "contents"),
        ({"contents_en": "   "}, "contents"),
        ({"contents_en": "Gift"}, "contents"),
        ({"contents_en": "x" * 101}, "contents"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"unit_value": Money(0, "JPY")}, "unit_value"),
        ({"origin": "ZZ"}, "origin_country"),
    ],
)
def test_incomplete_declarations_are_refused(overrides: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {
        "contents_en": "Vintage cotton dress",
        "hs_code": "620442",
        "quantity": 1,
        "unit_value": Money(12000, "JPY"),
        "origin": "JP",
        **overrides,
    }
    with pytest.raises(InvalidInput) as caught:
        customs_declaration(**args)
    assert caught.value.status == 422
    assert set(caught.value.fields) == {field}


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        customs_declaration("", "12", 0, Money(0, "JPY"), "??")
    assert set(caught.value.fields) == {"contents", "hs_code", "quantity", "unit_value", "origin_country"}
