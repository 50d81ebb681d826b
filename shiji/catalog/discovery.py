"""Finding listings: full-text search with filters and facets, and the market feed (逛).

Prices are filtered and sorted in the viewer's currency through the FX rates in force: a range in
yuan becomes, per listing currency, an exact range of minor units — exact with respect to the
price the viewer is shown (converted and rounded half-even).

Cursors are signed (a client cannot forge one) and checked field by field.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shiji.api.pagination import check_limit
from shiji.catalog.models import Listing
from shiji.catalog.selectors import _with_relations, category_descendant_ids, category_resolve, listings_public
from shiji.catalog.states import Condition
from shiji.core.errors import InvalidInput, NotFound
from shiji.core.geo import check_country
from shiji.core.money import Money, check_supported_currency, currency_digits, supported_currencies
from shiji.fx.selectors import Rate, fx_convert, fx_customer_rates_into
from shiji.search.selectors import search_match

SORTS = ("relevance", "newest", "price_asc", "price_desc")
MAX_OFFSET = 10_000
FEED_WINDOW = 10
FEED_MAX_PER_SELLER = 2
FEED_MAX_PER_CATEGORY = 3
FEED_MAX_HELD = 200
FEED_SCAN_BATCHES = 4  # per request; the cursor continues the scan on the next page
CURSOR_SALT = "shiji.catalog.cursor"


def _bad_cursor() -> InvalidInput:
    return InvalidInput(_("Bad cursor."), fields={"cursor": [_("Bad cursor.")]})


def _encode_cursor(data: dict[str, Any]) -> str:
    return signing.dumps(data, salt=CURSOR_SALT, compress=True)


def _decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(data, dict):
        raise _bad_cursor()
    return data


def _str_list(value: Any, limit: int) -> list[str]:
    if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) for v in value):
        raise _bad_cursor()
    return value


def _position(value: Any) -> tuple[datetime, str] | None:
    """A keyset position ``[published_at ISO, id]``."""
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise _bad_cursor()
    moment = parse_datetime(value[0])
    if moment is None:
        raise _bad_cursor()
    return moment, value[1]


def _before(position: tuple[datetime, str]) -> Q:
    return Q(published_at__lt=position[0]) | Q(published_at=position[0], pk__lt=position[1])


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


# --- prices in the viewer's currency -------------------------------------------------------------


def _shown(minor: int, currency: str, rate: Rate) -> Money:
    return fx_convert(Money(minor, currency), rate)


def _lowest_minor_shown_at_least(low: Money, currency: str, rate: Rate) -> int:
    """The smallest price (minor units of ``currency``) whose shown price is ≥ ``low``."""
    guess = max(1, math.floor(low.amount / rate.rate * (Decimal(10) ** currency_digits(currency))))
    while guess > 1 and _shown(guess - 1, currency, rate) >= low:
        guess -= 1
    while _shown(guess, currency, rate) < low:
        guess += 1
    return guess


def _highest_minor_shown_at_most(high: Money, currency: str, rate: Rate) -> int:
    """The largest price (minor units of ``currency``) whose shown price is ≤ ``high`` (0: none)."""
    guess = max(0, math.ceil(high.amount / rate.rate * (Decimal(10) ** currency_digits(currency))))
    while _shown(guess + 1, currency, rate) <= high:
        guess += 1
    while guess > 0 and _shown(guess, currency, rate) > high:
        guess -= 1
    return guess


def _price_filter(currency: str, low: Money | None, high: Money | None) -> Q:
    """Listings whose shown price in ``currency`` lies within [low, high]."""
    condition = Q(pk__in=[])
    for listing_currency, rate in fx_customer_rates_into(currency, supported_currencies()).items():
        bounds = Q(currency=listing_currency)
        if low is not None:
            bounds &= Q(price_minor__gte=_lowest_minor_shown_at_least(low, listing_currency, rate))
        if high is not None:
            bounds &= Q(price_minor__lte=_highest_minor_shown_at_most(high, listing_currency, rate))
        condition |= bounds
    return condition


def _price_in(currency: str) -> Case:
    """An SQL expression: each listing's price in ``currency`` major units (for sorting only)."""
    whens = [
        When(currency=c, then=F("price_minor") * Value(float(rate.rate / (Decimal(10) ** currency_digits(c)))))
        for c, rate in fx_customer_rates_into(currency, supported_currencies()).items()
    ]
    return Case(*whens, default=Value(None), output_field=FloatField())


def _parse_money(raw: str | None, currency: str, field_name: str) -> Money | None:
    if raw in (None, ""):
        return None
    try:
        money = Money.from_decimal(str(raw), currency)
    except InvalidInput as exc:
        raise InvalidInput(_("Some fields are not valid."), fields={field_name: [str(exc.message)]}) from exc
    if money.minor < 0:
        raise InvalidInput(_("Some fields are not valid."), fields={field_name: [_("Must not be negative.")]})
    return money


# --- search ----------------------------------------------------------------------------------------


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
    state = _decode_cursor(query.cursor) if query.cursor else {}
    if state and state.get("s") != sort:
        raise _bad_cursor()
    offset = state.get("o", 0)
    if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise _bad_cursor()
    after = _position(state.get("k"))

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

    next_state: dict[str, Any] | None = None
    if sort == "relevance" and q:
        ids = list(filtered.values_list("pk", flat=True))
        ids.sort(key=lambda pk: (-scores.get(pk, 0.0), pk))
        page_ids = ids[offset : offset + limit + 1]
        by_id = {listing.pk: listing for listing in _with_relations(Listing.objects.filter(pk__in=page_ids[:limit]))}
        items = [by_id[pk] for pk in page_ids[:limit] if pk in by_id]
        if len(page_ids) > limit and offset + limit <= MAX_OFFSET:
            next_state = {"s": sort, "o": offset + limit}
    elif sort == "newest":
        ordered = filtered.order_by("-published_at", "-pk")
        if after:
            ordered = ordered.filter(_before(after))
        rows = list(_with_relations(ordered)[: limit + 1])
        items = rows[:limit]
        if len(rows) > limit and items[-1].published_at:
            next_state = {"s": sort, "k": [items[-1].published_at.isoformat(), items[-1].pk]}
    else:
        priced = filtered.annotate(price_view=_price_in(currency)).exclude(price_view=None)
        ordered = priced.order_by("price_view" if sort == "price_asc" else "-price_view", "pk")
        rows = list(_with_relations(ordered)[offset : offset + limit + 1])
        items = rows[:limit]
        if len(rows) > limit and offset + limit <= MAX_OFFSET:
            next_state = {"s": sort, "o": offset + limit}
    return SearchResult(items=items, next_cursor=_encode_cursor(next_state) if next_state else None, facets=facets)


def _counts(queryset: QuerySet[Listing], column: str) -> dict[str, int]:
    return {row[column]: row["n"] for row in queryset.values(column).annotate(n=Count("pk")).order_by(column)}


# --- the market feed ---------------------------------------------------------------------------------


def market_feed(*, country: str | None, cursor: str | None, limit: int | None) -> SearchResult:
    """Fresh listings on sale that ship to ``country``, diverse: in any 10 consecutive items at most
    2 from one seller and 3 from one category. Items held back for diversity come back as soon as
    they fit; an item that can never fit (a catalogue of one seller, say) is left to search.

    The cursor carries where the scan stopped, the held-back ids and the last 9 items shown, so
    the rule also holds across pages. Each request scans a bounded number of candidates.
    """
    size = check_limit(limit)
    state = _decode_cursor(cursor) if cursor else {}
    after = _position(state.get("after"))
    held_ids = _str_list(state.get("held", []), FEED_MAX_HELD)
    window_ids = _str_list(state.get("window", []), FEED_WINDOW - 1)

    candidates = listings_public().filter(status="active").exclude(published_at=None)
    if country:
        candidates = candidates.filter(Q(ships_to_codes="*") | Q(ships_to_codes__contains=f",{country},"))
    # Held and window items are re-read from the visible set: anything removed, suppressed or no
    # longer shipping here since the previous page simply drops out.
    meta = {
        pk: (seller, category)
        for pk, seller, category in candidates.filter(pk__in=held_ids).values_list("pk", "seller_id", "category_id")
    }
    meta.update(
        {
            pk: (seller, category)
            for pk, seller, category in Listing.objects.filter(pk__in=window_ids).values_list(
                "pk", "seller_id", "category_id"
            )
        }
    )
    window: deque[tuple[str, str]] = deque((meta[pk] for pk in window_ids if pk in meta), maxlen=FEED_WINDOW - 1)
    pending: list[tuple[str, str, str]] = [(pk, *meta[pk]) for pk in held_ids if pk in meta]
    chosen: list[str] = []
    exhausted = False
    batches = 0

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
        if exhausted or batches >= FEED_SCAN_BATCHES:
            break
        batch_query = candidates.order_by("-published_at", "-pk")
        if after:
            batch_query = batch_query.filter(_before(after))
        batch = list(batch_query.values_list("pk", "seller_id", "category_id", "published_at")[: size * 3])
        batches += 1
        if not batch:
            exhausted = True
            continue
        for pk, seller, category, published_at in batch:
            after = (published_at, pk) if published_at else after
            if not pending and fits(seller, category):
                chosen.append(pk)
                window.append((seller, category))
            else:
                pending.append((pk, seller, category))
                take_pending()
            if len(chosen) >= size:
                break
    by_id = {listing.pk: listing for listing in _with_relations(Listing.objects.filter(pk__in=chosen))}
    items = [by_id[pk] for pk in chosen if pk in by_id]
    # More may come while the scan has not reached the end; held items alone can only come back
    # if the scan moves the window, so once it has ended, what is still held is left out.
    has_more = not exhausted
    next_cursor = None
    if has_more:
        next_cursor = _encode_cursor(
            {
                "after": [after[0].isoformat(), after[1]] if after else None,
                "held": [p[0] for p in pending][-FEED_MAX_HELD:],
                "window": (window_ids + chosen)[-(FEED_WINDOW - 1) :],
            }
        )
    return SearchResult(items=items, next_cursor=next_cursor)
