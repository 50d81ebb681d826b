"""Finding listings: full-text search with filters and facets, and the market feed (逛).

Prices are filtered and sorted in the viewer's currency through the FX rates in force: a range in
yuan becomes, per listing currency, an exact range of minor units.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from shiji.api.pagination import check_limit
from shiji.catalog.models import Listing
from shiji.catalog.selectors import _with_relations, category_descendant_ids, category_resolve, listings_public
from shiji.catalog.states import Condition
from shiji.core.errors import InvalidInput, NotFound
from shiji.core.geo import check_country
from shiji.core.money import Money, check_supported_currency, currency_digits, supported_currencies
from shiji.fx.selectors import fx_rates_into
from shiji.search.selectors import search_match

SORTS = ("relevance", "newest", "price_asc", "price_desc")
MAX_OFFSET = 10_000
FEED_WINDOW = 10
FEED_MAX_PER_SELLER = 2
FEED_MAX_PER_CATEGORY = 3


def _encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]}) from exc
    if not isinstance(data, dict):
        raise InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]})
    return data


@dataclass
class SearchQuery:
    q: str = ""
    category: str | None = None
    condition: str | None = None
    min_price: str | None = None
    max_price: str | None = None
    currency: str = "USD"
    ships_from: str | None = None
    ships_to: str | None = None
    sort: str | None = None
    cursor: str | None = None
    limit: int | None = None


@dataclass
class SearchResult:
    items: list[Listing]
    next_cursor: str | None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _price_filter(currency: str, low: Money | None, high: Money | None) -> Q:
    """Listings whose price, converted into ``currency``, lies within [low, high]."""
    rates = fx_rates_into(currency, supported_currencies())
    condition = Q(pk__in=[])
    for listing_currency, rate in rates.items():
        scale = Decimal(10) ** currency_digits(listing_currency)
        bounds = Q(currency=listing_currency)
        if low is not None:
            bounds &= Q(price_minor__gte=math.ceil(low.amount / rate.rate * scale))
        if high is not None:
            bounds &= Q(price_minor__lte=math.floor(high.amount / rate.rate * scale))
        condition |= bounds
    return condition


def _price_in(currency: str) -> Case:
    """An SQL expression: each listing's price in ``currency`` major units (for sorting only)."""
    whens = [
        When(currency=c, then=F("price_minor") * Value(float(rate.rate / (Decimal(10) ** currency_digits(c)))))
        for c, rate in fx_rates_into(currency, supported_currencies()).items()
    ]
    return Case(*whens, default=Value(None), output_field=FloatField())


def _parse_money(raw: str | None, currency: str, field_name: str) -> Money | None:
    if raw in (None, ""):
        return None
    try:
        return Money.from_decimal(str(raw), currency)
    except InvalidInput as exc:
        raise InvalidInput(_("Some fields are not valid."), fields={field_name: [str(exc.message)]}) from exc


def listing_search(query: SearchQuery) -> SearchResult:
    currency = check_supported_currency(query.currency)
    limit = check_limit(query.limit)
    q = (query.q or "").strip()[:200]
    sort = query.sort or ("relevance" if q else "newest")
    if sort not in SORTS:
        raise InvalidInput(_("Unknown sort."), fields={"sort": [", ".join(SORTS)]})
    if query.condition and query.condition not in Condition.values:
        raise InvalidInput(_("Unknown condition."), fields={"condition": [", ".join(Condition.values)]})
    low = _parse_money(query.min_price, currency, "min_price")
    high = _parse_money(query.max_price, currency, "max_price")
    offset = 0
    if query.cursor:
        offset = _decode_cursor(query.cursor).get("o", -1)
        if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
            raise InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]})

    base = listings_public()
    if query.ships_from:
        base = base.filter(ships_from=check_country(query.ships_from, field="ships_from"))
    if query.ships_to:
        code = check_country(query.ships_to, field="ships_to")
        base = base.filter(Q(ships_to_codes="*") | Q(ships_to_codes__contains=f",{code},"))
    if low is not None or high is not None:
        base = base.filter(_price_filter(currency, low, high))
    scores: dict[str, float] = {}
    if q:
        scores = dict(search_match(q=q))
        base = base.filter(pk__in=list(scores))
    category_ids: set[str] | None = None
    if query.category:
        try:
            category_ids = category_descendant_ids(category_resolve(query.category).id)
        except NotFound as exc:
            raise InvalidInput(_("Unknown category."), fields={"category": [_("Unknown category.")]}) from exc

    with_category = base.filter(category_id__in=category_ids) if category_ids else base
    filtered = with_category.filter(condition=query.condition) if query.condition else with_category
    facets = {
        "category": _counts(base.filter(condition=query.condition) if query.condition else base, "category_id"),
        "condition": _counts(with_category, "condition"),
    }

    if sort == "relevance" and q:
        ids = list(filtered.values_list("pk", flat=True))
        ids.sort(key=lambda pk: (-scores.get(pk, 0.0), pk))
        page_ids = ids[offset : offset + limit + 1]
        by_id = {listing.pk: listing for listing in _with_relations(Listing.objects.filter(pk__in=page_ids[:limit]))}
        items = [by_id[pk] for pk in page_ids[:limit] if pk in by_id]
        more = len(page_ids) > limit
    else:
        ordered: QuerySet[Listing]
        if sort in ("price_asc", "price_desc"):
            filtered = filtered.annotate(price_view=_price_in(currency)).exclude(price_view=None)
            ordered = filtered.order_by("price_view" if sort == "price_asc" else "-price_view", "pk")
        else:
            ordered = filtered.order_by("-published_at", "-pk")
        rows = list(_with_relations(ordered)[offset : offset + limit + 1])
        items, more = rows[:limit], len(rows) > limit
    next_offset = offset + limit
    next_cursor = _encode_cursor({"o": next_offset}) if more and next_offset <= MAX_OFFSET else None
    return SearchResult(items=items, next_cursor=next_cursor, facets=facets)


def _counts(queryset: QuerySet[Listing], column: str) -> dict[str, int]:
    return {row[column]: row["n"] for row in queryset.values(column).annotate(n=Count("pk")).order_by(column)}


# --- the market feed ---------------------------------------------------------------------------


def market_feed(*, country: str | None, cursor: str | None, limit: int | None) -> SearchResult:
    """Fresh listings that ship to ``country``, diverse: in any 10 consecutive items at most 2
    from one seller and 3 from one category. Items held back for diversity come back later.

    The cursor carries where the scan stopped, the held-back ids and the last 9 items shown, so
    the rule also holds across pages.
    """
    size = check_limit(limit)
    state = _decode_cursor(cursor) if cursor else {}
    try:
        after = state.get("after")  # [published_at iso, id] of the last scanned candidate
        held: list[str] = list(state.get("held", []))
        window_ids: list[str] = list(state.get("window", []))
    except TypeError as exc:
        raise InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]}) from exc
    if not (after is None or (isinstance(after, list) and len(after) == 2)) or len(held) > 200 or len(window_ids) > 9:
        raise InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]})

    candidates = listings_public().filter(status="active").exclude(published_at=None)
    if country:
        candidates = candidates.filter(Q(ships_to_codes="*") | Q(ships_to_codes__contains=f",{country},"))
    meta = {
        pk: (seller, category)
        for pk, seller, category in Listing.objects.filter(pk__in=held + window_ids).values_list(
            "pk", "seller_id", "category_id"
        )
    }
    window: deque[tuple[str, str]] = deque((meta[pk] for pk in window_ids if pk in meta), maxlen=FEED_WINDOW - 1)
    pending: list[tuple[str, str, str]] = [(pk, *meta[pk]) for pk in held if pk in meta]
    chosen: list[str] = []
    exhausted = False

    def fits(seller: str, category: str) -> bool:
        sellers = Counter(s for s, _ in window)
        categories = Counter(c for _, c in window)
        return sellers[seller] < FEED_MAX_PER_SELLER and categories[category] < FEED_MAX_PER_CATEGORY

    def take_pending() -> bool:
        for index, (pk, seller, category) in enumerate(pending):
            if fits(seller, category):
                pending.pop(index)
                chosen.append(pk)
                window.append((seller, category))
                return True
        return False

    while len(chosen) < size:
        if take_pending():
            continue
        if exhausted:
            break
        batch_query = candidates.order_by("-published_at", "-pk")
        if after:
            batch_query = batch_query.filter(Q(published_at__lt=after[0]) | Q(published_at=after[0], pk__lt=after[1]))
        batch = list(batch_query.values_list("pk", "seller_id", "category_id", "published_at")[: size * 3])
        if not batch:
            exhausted = True
            continue
        for pk, seller, category, published_at in batch:
            after = [published_at.isoformat() if published_at else "", pk]
            if len(chosen) < size and not pending and fits(seller, category):
                chosen.append(pk)
                window.append((seller, category))
            else:
                pending.append((pk, seller, category))
                if len(chosen) < size:
                    take_pending()
            if len(chosen) >= size:
                break
    by_id = {listing.pk: listing for listing in _with_relations(Listing.objects.filter(pk__in=chosen))}
    items = [by_id[pk] for pk in chosen if pk in by_id]
    has_more = bool(pending) or not exhausted
    window_out = (window_ids + chosen)[-(FEED_WINDOW - 1) :]
    next_cursor = (
        _encode_cursor({"after": after, "held": [p[0] for p in pending][:200], "window": window_out})
        if has_more and items
        else None
    )
    return SearchResult(items=items, next_cursor=next_cursor)
