"""What the search index holds for a listing: titles (weighted high) and the rest of its text."""

from __future__ import annotations

from shiji.catalog.models import Category, Listing
from shiji.catalog.states import PUBLIC_STATUSES
from shiji.search.services import search_remove, search_upsert


def listing_search_text(listing: Listing) -> tuple[dict[str, str], dict[str, str]]:
    title = dict(listing.title)
    body: dict[str, list[str]] = {language: [text] for language, text in listing.description.items()}
    original = body.setdefault(listing.original_language, [])
    if listing.story:
        original.append(listing.story)
    original.extend(listing.tags)
    category: Category | None = listing.category
    while category is not None:
        for language, name in category.names().items():
            body.setdefault(language, []).append(name)
        category = category.parent
    return title, {language: "\n".join(parts) for language, parts in body.items() if parts}


def listing_reindex(*, listing_id: str) -> None:
    """Index a visible listing, or drop it from the index; safe to run any number of times."""
    listing = Listing.objects.select_related("seller", "category__parent__parent").filter(pk=listing_id).first()
    if listing is None or listing.status not in PUBLIC_STATUSES or not listing.seller.is_active:
        search_remove(listing_id=listing_id)
        return
    title, body = listing_search_text(listing)
    search_upsert(listing_id=listing.id, title=title, body=body, original_language=listing.original_language)
