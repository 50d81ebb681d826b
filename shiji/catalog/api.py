"""Catalog and search endpoints (API.md "Catalog and search")."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from ninja import File, Router, Status
from ninja.files import UploadedFile

from shiji.accounts.models import User
from shiji.accounts.roles import Role, user_has_role
from shiji.api.auth import OPTIONAL_AUTH, api_user, api_viewer
from shiji.api.openapi import errors
from shiji.api.pagination import paginate_by_id
from shiji.catalog import discovery, selectors, services
from shiji.catalog.models import Listing, ListingPhoto
from shiji.catalog.schemas import (
    CategoryOut,
    ListingIn,
    ListingOut,
    ListingPage,
    ListingPatchIn,
    PhotoOrderIn,
    PhotoOut,
    SearchPage,
    SuppressIn,
)
from shiji.core.geo import check_country
from shiji.core.money import check_supported_currency
from shiji.core.time import iso_utc

router = Router()
staff_router = Router()


def photo_out(photo: ListingPhoto) -> dict[str, Any]:
    return {
        "id": photo.id,
        "url": default_storage.url(photo.image_path),
        "thumbnail_url": default_storage.url(photo.thumbnail_path),
        "position": photo.position,
        "width": photo.width,
        "height": photo.height,
    }


def listing_out(
    listing: Listing, *, viewer: User | None, currency: str | None = None, country: str | None = None
) -> dict[str, Any]:
    shown_in = currency or (viewer.currency if viewer else listing.currency)
    display = selectors.listing_display_price(listing, shown_in)
    country = country or (viewer.country if viewer else None)
    destination = None
    if country:
        rule = selectors.listing_prohibition(listing=listing, country=country)
        destination = {
            "country": country,
            "ships": selectors.listing_ships_to(listing, country),
            "prohibited": rule is not None,
            "reason": rule.reason_for(translation.get_language() or "en") if rule else None,
        }
    may_see_moderation = viewer is not None and (
        viewer.id == listing.seller_id or user_has_role(viewer, Role.MODERATOR)
    )
    seller = listing.seller
    return {
        "id": listing.id,
        "status": listing.status,
        "seller": {
            "id": seller.id,
            "display_name": seller.display_name,
            "country": seller.country,
            "verification_level": seller.verification_level,
            "reliable": seller.reliable,
        },
        "category": {"id": listing.category.id, "slug": listing.category.slug, "names": listing.category.names()},
        "title": listing.title,
        "description": listing.description,
        "original_language": listing.original_language,
        "condition": listing.condition,
        "price": selectors.listing_price(listing).as_dict(),
        "quantity": listing.quantity,
        "weight_g": listing.weight_g,
        "size_cm": [listing.length_cm, listing.width_cm, listing.height_cm],
        "ships_from": listing.ships_from,
        "ships_to": listing.ships_to,
        "handling_days": listing.handling_days,
        "story": listing.story,
        "tags": listing.tags,
        "hs_code": listing.effective_hs_code,
        "is_business": listing.is_business,
        "photos": [photo_out(photo) for photo in listing.photos.all()],
        "display_price": {
            "amount": display.money.amount_str(),
            "currency": display.money.currency,
            "rate": selectors.decimal_str(display.rate.rate),
            "rate_at": iso_utc(display.rate.as_of),
        }
        if display
        else None,
        "destination": destination,
        "suppressed_reason": listing.suppressed_reason if may_see_moderation and listing.suppressed_reason else None,
        "created_at": iso_utc(listing.created_at),
        "published_at": iso_utc(listing.published_at),
    }


def _own(request: HttpRequest, listing_id: str) -> dict[str, Any]:
    user = api_user(request)
    return listing_out(selectors.listing_get_visible(viewer=user, listing_id=listing_id), viewer=user)


@router.get("/categories", auth=None, response=list[CategoryOut])
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.category_tree()


@router.post("/listings", response={201: ListingOut})
def listing_create(request: HttpRequest, payload: ListingIn) -> Status[Any]:
    user = api_user(request)
    with transaction.atomic(durable=True):
        listing = services.listing_create(seller=user, data=payload.dict())
    return Status(201, _own(request, listing.id))


@router.get("/listings/{listing_id}", auth=OPTIONAL_AUTH, response={200: ListingOut, **errors(404)})
def listing_detail(
    request: HttpRequest, listing_id: str, currency: str | None = None, country: str | None = None
) -> dict[str, Any]:
    viewer = api_viewer(request)
    if currency is not None:
        check_supported_currency(currency)
    if country is not None:
        check_country(country)
    listing = selectors.listing_get_visible(viewer=viewer, listing_id=listing_id)
    return listing_out(listing, viewer=viewer, currency=currency, country=country)


@router.patch("/listings/{listing_id}", response={200: ListingOut, **errors(403, 404, 409)})
def listing_update(request: HttpRequest, listing_id: str, payload: ListingPatchIn) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        services.listing_update(seller=api_user(request), listing_id=listing_id, data=payload.dict(exclude_unset=True))
    return _own(request, listing_id)


@router.delete("/listings/{listing_id}", response={200: ListingOut, **errors(404, 409)})
def listing_delete(request: HttpRequest, listing_id: str) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        services.listing_remove(seller=api_user(request), listing_id=listing_id)
    return _own(request, listing_id)


@router.post("/listings/{listing_id}/publish", response={200: ListingOut, **errors(403, 404, 409)})
def listing_publish(request: HttpRequest, listing_id: str) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        services.listing_publish(seller=api_user(request), listing_id=listing_id)
    return _own(request, listing_id)


@router.post("/listings/{listing_id}/photos", response={201: PhotoOut, **errors(404, 409)})
def photo_add(request: HttpRequest, listing_id: str, image: File[UploadedFile]) -> Status[Any]:
    with transaction.atomic(durable=True):
        photo = services.photo_add(seller=api_user(request), listing_id=listing_id, image=image)
    return Status(201, photo_out(photo))


# Before ".../photos/{photo_id}": Django tries URL patterns in order, and "order" would be taken
# for a photo id there (answering 405 to this PUT).
@router.put("/listings/{listing_id}/photos/order", response={200: list[PhotoOut], **errors(404)})
def photo_order(request: HttpRequest, listing_id: str, payload: PhotoOrderIn) -> list[dict[str, Any]]:
    with transaction.atomic(durable=True):
        photos = services.photos_reorder(seller=api_user(request), listing_id=listing_id, photo_ids=payload.photo_ids)
    return [photo_out(photo) for photo in photos]


@router.delete("/listings/{listing_id}/photos/{photo_id}", response={204: None, **errors(404, 422)})
def photo_delete(request: HttpRequest, listing_id: str, photo_id: str) -> Status[Any]:
    with transaction.atomic(durable=True):
        services.photo_delete(seller=api_user(request), listing_id=listing_id, photo_id=photo_id)
    return Status(204, None)


@router.get("/me/listings", response=ListingPage)
def my_listings(
    request: HttpRequest, status: str | None = None, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    user = api_user(request)
    page = paginate_by_id(selectors.seller_listings(seller=user, status=status), cursor=cursor, limit=limit)
    return {"items": [listing_out(listing, viewer=user) for listing in page.items], "next_cursor": page.next_cursor}


@router.get("/search", auth=OPTIONAL_AUTH, response=SearchPage)
def search(
    request: HttpRequest,
    q: str = "",
    category: str | None = None,
    condition: str | None = None,
    min_price: str | None = None,
    max_price: str | None = None,
    currency: str | None = None,
    ships_from: str | None = None,
    ships_to: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    viewer = api_viewer(request)
    shown_in = currency or (viewer.currency if viewer else "USD")
    result = discovery.listing_search(
        discovery.SearchQuery(
            q=q,
            category=category,
            condition=condition,
            min_price=min_price,
            max_price=max_price,
            currency=shown_in,
            ships_from=ships_from,
            ships_to=ships_to,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
    )
    return {
        "items": [listing_out(item, viewer=viewer, currency=shown_in) for item in result.items],
        "next_cursor": result.next_cursor,
        "facets": result.facets,
    }


@router.get("/market", auth=OPTIONAL_AUTH, response=ListingPage)
def market(
    request: HttpRequest,
    country: str | None = None,
    currency: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    viewer = api_viewer(request)
    if country is not None:
        check_country(country)
    if currency is not None:
        check_supported_currency(currency)
    feed_country = country or (viewer.country if viewer else None)
    result = discovery.market_feed(country=feed_country, cursor=cursor, limit=limit)
    return {
        "items": [listing_out(item, viewer=viewer, currency=currency, country=feed_country) for item in result.items],
        "next_cursor": result.next_cursor,
    }


@staff_router.post("/listings/{listing_id}/suppress", response={200: ListingOut, **errors(403, 404, 409)})
def listing_suppress(request: HttpRequest, listing_id: str, payload: SuppressIn) -> dict[str, Any]:
    moderator = api_user(request)
    with transaction.atomic(durable=True):
        listing = services.listing_suppress(
            moderator=moderator, listing_id=listing_id, reason=payload.reason, request=request
        )
    listing = Listing.objects.select_related("seller", "category").get(pk=listing.pk)
    return listing_out(listing, viewer=moderator)


@staff_router.post("/listings/{listing_id}/reinstate", response={200: ListingOut, **errors(403, 404, 409)})
def listing_reinstate(request: HttpRequest, listing_id: str) -> dict[str, Any]:
    moderator = api_user(request)
    with transaction.atomic(durable=True):
        listing = services.listing_reinstate(moderator=moderator, listing_id=listing_id, request=request)
    listing = Listing.objects.select_related("seller", "category").get(pk=listing.pk)
    return listing_out(listing, viewer=moderator)
