"""Reads of the catalog: categories, listings as their seller or a visitor sees them, prices in
the viewer's currency, and what a destination forbids."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from opencc import OpenCC

from shiji.accounts.models import User
from shiji.catalog.models import Category, Listing, ListingPhoto, ProhibitedRule
from shiji.catalog.states import PUBLIC_STATUSES
from shiji.core.errors import NotFound
from shiji.core.money import Money
from shiji.fx.errors import RateUnavailable
from shiji.fx.selectors import Rate, fx_convert, fx_customer_rates_into, fx_rate

CATEGORY_CACHE_KEY = "catalog:categories:v1"
RULES_CACHE_KEY = "catalog:prohibited-rules:v1"
CACHE_SECONDS = 300


# --- categories --------------------------------------------------------------------------------


def categories_all() -> list[Category]:
    cached = cache.get(CATEGORY_CACHE_KEY)
    if cached is None:
        cached = list(Category.objects.all())
        cache.set(CATEGORY_CACHE_KEY, cached, CACHE_SECONDS)
    return list(cached)


def category_tree() -> list[dict[str, Any]]:
    categories = categories_all()
    children: dict[str | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)

    def node(category: Category) -> dict[str, Any]:
        return {
            "id": category.id,
            "slug": category.slug,
            "names": category.names(),
            "hs_code": category.hs_code,
            "children": [node(child) for child in children.get(category.id, [])],
        }

    return [node(root) for root in children.get(None, [])]


def category_descendant_ids(category_id: str) -> set[str]:
    categories = categories_all()
    found = {category_id}
    changed = True
    while changed:
        changed = False
        for category in categories:
            if category.parent_id in found and category.id not in found:
                found.add(category.id)
                changed = True
    return found


def category_resolve(value: str) -> Category:
    for category in categories_all():
        if value in (category.id, category.slug):
            return category
    raise NotFound(_("No such category."))


# --- listings --------------------------------------------------------------------------------


def _with_relations(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("seller", "category").prefetch_related(
        Prefetch("photos", queryset=ListingPhoto.objects.order_by("position", "created_at"))
    )


def listings_public() -> QuerySet[Listing]:
    """What visitors may see: on sale or sold out, from an active seller."""
    return Listing.objects.filter(status__in=PUBLIC_STATUSES, seller__is_active=True)


def access_listing_for_seller(*, seller: User, listing_id: str, for_update: bool = False) -> Listing:
    """The seller's own listing; anyone else's is 'not found' (no IDOR)."""
    queryset = Listing.objects.select_related("category")
    if for_update:
        queryset = queryset.select_for_update()
    listing = queryset.filter(pk=listing_id, seller=seller).first()
    if listing is None:
        raise NotFound(_("No such listing."))
    return listing


def listing_get_visible(*, viewer: User | None, listing_id: str) -> Listing:
    listing = _with_relations(Listing.objects.filter(pk=listing_id)).first()
    if listing is None:
        raise NotFound(_("No such listing."))
    is_owner = viewer is not None and listing.seller_id == viewer.id
    if not is_owner and (listing.status not in PUBLIC_STATUSES or not listing.seller.is_active):
        raise NotFound(_("No such listing."))
    return listing


def seller_listings(*, seller: User, status: str | None = None) -> QuerySet[Listing]:
    queryset = _with_relations(Listing.objects.filter(seller=seller))
    return queryset.filter(status=status) if status else queryset.exclude(status="removed")


def listing_photo_count(listing: Listing) -> int:
    return ListingPhoto.objects.filter(listing=listing).count()


# --- prices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisplayPrice:
    money: Money
    rate: Rate


def listing_price(listing: Listing) -> Money:
    return Money(listing.price_minor, listing.currency)


def listing_display_price(listing: Listing, currency: str) -> DisplayPrice | None:
    """The price in ``currency`` as the buyer will pay it for the item at checkout: at the customer
    rate (the rate in force plus the conversion margin), so the listing, the search results and
    the checkout's item line agree. None when no rate is known."""
    rate = fx_customer_rates_into(currency, [listing.currency]).get(listing.currency)
    if rate is None:
        return None
    return DisplayPrice(money=fx_convert(listing_price(listing), rate), rate=rate)


def seller_listed_value_usd_cents(*, seller: User, extra: Listing | None = None) -> int:
    """What a seller has on offer (price × quantity of listings on sale, plus ``extra``), in US cents.

    Stands for "sales so far and in progress" at publish time for the unverified-seller limit;
    listings without a known USD rate count at zero.
    """
    total = 0
    listings = list(
        Listing.objects.filter(seller=seller, status__in=PUBLIC_STATUSES).exclude(pk=getattr(extra, "pk", None))
    )
    if extra is not None:
        listings.append(extra)
    for listing in listings:
        try:
            value = fx_convert(listing_price(listing), fx_rate(base=listing.currency, quote="USD"))
        except RateUnavailable:
            continue
        total += value.minor * max(listing.quantity, 1)
    return total


# --- destinations ----------------------------------------------------------------------------


def prohibited_rules_active() -> list[ProhibitedRule]:
    """All active destination rules (a short list), cached like the categories."""
    cached = cache.get(RULES_CACHE_KEY)
    if cached is None:
        cached = list(ProhibitedRule.objects.filter(active=True))
        cache.set(RULES_CACHE_KEY, cached, CACHE_SECONDS)
    return list(cached)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def _normalized(text: str) -> str:
    return str(_t2s().convert(text.lower()))


def listing_ships_to(listing: Listing, country: str) -> bool:
    return listing.ships_to == ["*"] or country in listing.ships_to


def listing_prohibition(*, listing: Listing, country: str) -> ProhibitedRule | None:
    """The first active rule of ``country`` (or of everywhere) that forbids this listing."""
    rules = [rule for rule in prohibited_rules_active() if rule.country in (country, "*")]
    if not rules:
        return None
    lineage = set()
    category_id: str | None = listing.category_id
    by_id = {c.id: c for c in categories_all()}
    while category_id:
        lineage.add(category_id)
        category_id = by_id[category_id].parent_id if category_id in by_id else None
    text = _normalized(" ".join([*listing.title.values(), *listing.description.values(), *listing.tags]))
    for rule in rules:
        if rule.category_id and rule.category_id in lineage:
            return rule
        if any(_normalized(keyword) in text for keyword in rule.keywords):
            return rule
    return None


def decimal_str(value: Decimal) -> str:
    return format(value.normalize(), "f")
