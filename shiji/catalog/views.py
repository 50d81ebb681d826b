"""Catalog pages: market feed, search, listing, the seller's editor and their listings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shiji.accounts.selectors import page_user
from shiji.catalog import discovery, selectors, services
from shiji.catalog.forms import ListingForm, PhotoForm, SearchForm, listing_initial
from shiji.catalog.models import Listing
from shiji.core.errors import NotFound, ShijiError
from shiji.web.forms import form_add_service_error
from shiji.web.preferences import viewer, viewer_country, viewer_currency


def _card(listing: Listing, currency: str) -> dict[str, Any]:
    return {
        "listing": listing,
        "display": selectors.listing_display_price(listing, currency),
        "price": selectors.listing_price(listing),
        "photo": next(iter(listing.photos.all()), None),
    }


def market_view(request: HttpRequest) -> HttpResponse:
    currency = viewer_currency(request)
    try:
        feed = discovery.market_feed(country=viewer_country(request), cursor=request.GET.get("cursor"), limit=24)
    except ShijiError:
        feed = discovery.market_feed(country=viewer_country(request), cursor=None, limit=24)
    return render(
        request,
        "catalog/pages/market.html",
        {
            "cards": [_card(item, currency) for item in feed.items],
            "more_url": _more_url(reverse("catalog:market"), QueryDict(mutable=True), feed.next_cursor),
        },
    )


def search_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    currency = viewer_currency(request)
    cards: list[dict[str, Any]] = []
    facets: dict[str, dict[str, int]] = {}
    next_cursor = None
    if form.is_valid():
        data = form.cleaned_data
        country = viewer_country(request)
        try:
            result = discovery.listing_search(
                discovery.SearchQuery(
                    q=data["q"],
                    category=data["category"] or None,
                    condition=data["condition"] or None,
                    min_price=_decimal(data["min_price"]),
                    max_price=_decimal(data["max_price"]),
                    currency=currency,
                    ships_to=country if data["ships_to_me"] and country else None,
                    sort=data["sort"] or None,
                    cursor=request.GET.get("cursor"),
                    limit=24,
                )
            )
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            cards = [_card(item, currency) for item in result.items]
            facets, next_cursor = result.facets, result.next_cursor
    names = {c.id: c.name_for(translation.get_language() or "en") for c in selectors.categories_all()}
    category_facets = sorted(
        ((names.get(k, k), k, n) for k, n in facets.get("category", {}).items()), key=lambda row: -row[2]
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "catalog/pages/search.html",
        {
            "form": form,
            "cards": cards,
            "more_url": _more_url(reverse("catalog:search"), query, next_cursor),
            "currency": currency,
            "category_facets": category_facets,
            "query_string": query.urlencode(),
            "searched": bool(request.GET),
        },
    )


def _more_url(path: str, query: QueryDict, cursor: str | None) -> str:
    """The next page of a card grid: the same query with the cursor, or "" on the last page."""
    if not cursor:
        return ""
    query = query.copy()
    query["cursor"] = cursor
    return f"{path}?{query.urlencode()}"


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def listing_view(request: HttpRequest, listing_id: str) -> HttpResponse:
    person = viewer(request)
    try:
        listing = selectors.listing_get_visible(viewer=person, listing_id=listing_id)
    except NotFound as exc:
        raise Http404 from exc
    currency = viewer_currency(request)
    country = viewer_country(request)
    rule = selectors.listing_prohibition(listing=listing, country=country) if country else None
    return render(
        request,
        "catalog/pages/listing.html",
        {
            "listing": listing,
            "card": _card(listing, currency),
            "photos": list(listing.photos.all()),
            "country": country,
            "ships_here": selectors.listing_ships_to(listing, country) if country else None,
            "prohibition": rule.reason_for(translation.get_language() or "en") if rule else None,
            "is_owner": person is not None and person.id == listing.seller_id,
        },
    )


@login_required
def sell_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    initial = {"currency": user.currency, "ships_from": user.country, "original_language": user.language}
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                listing = services.listing_create(seller=user, data=form.to_service_data())
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Add photos, then publish."))
            return redirect("catalog:edit", listing_id=listing.id)
    return render(request, "catalog/pages/edit.html", {"form": form, "listing": None})


@login_required
def edit_view(request: HttpRequest, listing_id: str) -> HttpResponse:
    user = page_user(request)
    try:
        listing = selectors.access_listing_for_seller(seller=user, listing_id=listing_id)
    except NotFound as exc:
        raise Http404 from exc
    form = ListingForm(request.POST or None, initial=listing_initial(listing))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                services.listing_update(seller=user, listing_id=listing.id, data=form.to_service_data())
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("catalog:edit", listing_id=listing.id)
    return render(
        request,
        "catalog/pages/edit.html",
        {"form": form, "listing": listing, "photos": list(listing.photos.all()), "photo_form": PhotoForm()},
    )


@login_required
@require_POST
def photo_upload_view(request: HttpRequest, listing_id: str) -> HttpResponse:
    user = page_user(request)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                services.photo_add(seller=user, listing_id=listing_id, image=form.cleaned_data["image"])
        except NotFound as exc:
            raise Http404 from exc
        except ShijiError as exc:
            messages.error(request, exc.fields.get("image", [str(exc.message)])[0])
        else:
            messages.success(request, _("Photo added."))
    else:
        messages.error(request, _("Choose a photo to upload."))
    return redirect("catalog:edit", listing_id=listing_id)


@login_required
@require_POST
def photo_action_view(request: HttpRequest, listing_id: str, photo_id: str) -> HttpResponse:
    user = page_user(request)
    action = request.POST.get("action")
    try:
        with transaction.atomic(durable=True):
            if action == "delete":
                services.photo_delete(seller=user, listing_id=listing_id, photo_id=photo_id)
            elif action in ("up", "down"):
                services.photo_move(
                    seller=user, listing_id=listing_id, photo_id=photo_id, step=-1 if action == "up" else 1
                )
    except NotFound as exc:
        raise Http404 from exc
    except ShijiError as exc:
        messages.error(request, str(exc.message))
    return redirect("catalog:edit", listing_id=listing_id)


@login_required
@require_POST
def lifecycle_view(request: HttpRequest, listing_id: str) -> HttpResponse:
    user = page_user(request)
    action = request.POST.get("action")
    try:
        with transaction.atomic(durable=True):
            if action == "publish":
                services.listing_publish(seller=user, listing_id=listing_id)
                messages.success(request, _("Your listing is on sale."))
            elif action == "remove":
                services.listing_remove(seller=user, listing_id=listing_id)
                messages.success(request, _("The listing was removed."))
                return redirect("catalog:mine")
    except NotFound as exc:
        raise Http404 from exc
    except ShijiError as exc:
        messages.error(request, str(exc.message))
    return redirect("catalog:edit", listing_id=listing_id)


@login_required
def my_listings_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    currency = viewer_currency(request)
    listings = list(selectors.seller_listings(seller=user).order_by("-created_at")[:200])
    return render(request, "catalog/pages/mine.html", {"cards": [_card(item, currency) for item in listings]})
