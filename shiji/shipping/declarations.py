"""The customs declaration a parcel carries (CUSTOMS.md "Shipping data", PRODUCT.md §6):
contents in English, a 6-digit HS code, quantity, unit value and currency, origin country,
gift or sale."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from shiji.core.errors import InvalidInput
from shiji.core.geo import check_country
from shiji.core.money import Money

CONTENTS_MAX = 100
_HS_SEPARATORS = re.compile(r"[\s.]")
_ENGLISH = re.compile(r"^[A-Za-z0-9 ,.;:()'&/+%-]+$")
# Customs refuse descriptions that do not say what is inside.
_VAGUE = frozenset(
    {"gift", "gifts", "goods", "item", "items", "merchandise", "misc", "miscellaneous", "sample", "samples", "stuff"}
)


def _contents(value: object, errors: dict[str, list[str]]) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        errors["contents"] = [_("Describe the contents in English.")]
    elif len(text) > CONTENTS_MAX:
        errors["contents"] = [_("At most %(n)s characters.") % {"n": CONTENTS_MAX}]
    elif not _ENGLISH.match(text) or not re.search(r"[A-Za-z]{2}", text):
        errors["contents"] = [_("Use English words (Latin letters), e.g. “Vintage cotton dress”.")]
    elif text.lower() in _VAGUE:
        errors["contents"] = [_("Say what the item is, e.g. “Ceramic tea cup”, not just “gift”.")]
    return text


def _hs_code(value: object, errors: dict[str, list[str]]) -> str:
    code = _HS_SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        errors["hs_code"] = [_("Enter the 6-digit HS code, e.g. 620442.")]
    return code


def customs_declaration(
    contents_en: str,
    hs_code: str,
    quantity: int,
    unit_value: Money,
    origin: str,
    gift: bool = False,
) -> dict[str, Any]:
    """A validated declaration, ready to store with the shipment and print on the label.

    Raises 422 ``invalid`` naming every bad field. ``"6204.42"`` is accepted as ``"620442"``.
    """
    errors: dict[str, list[str]] = {}
    contents = _contents(contents_en, errors)
    code = _hs_code(hs_code, errors)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        errors["quantity"] = [_("Enter a quantity of at least 1.")]
    if not isinstance(unit_value, Money) or unit_value.minor <= 0:
        errors["unit_value"] = [_("Declare a value above zero.")]
    try:
        check_country(origin, field="origin_country")
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(_("The customs declaration is not complete."), fields=errors)
    return {
        "contents": contents,
        "hs_code": code,
        "quantity": quantity,
        "unit_value": unit_value.as_dict(),
        "total_value": (unit_value * quantity).as_dict(),
        "origin_country": origin,
        "gift": bool(gift),
        "type": "gift" if gift else "sale",
    }
