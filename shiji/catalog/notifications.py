from __future__ import annotations

from shiji.catalog.models import Listing
from shiji.core.mail import send_templated_mail


def send_listing_suppressed(*, listing_id: str) -> None:
    listing = Listing.objects.select_related("seller").filter(pk=listing_id, status="suppressed").first()
    if listing is None:
        return
    send_templated_mail(
        to=listing.seller,
        template="catalog/email/suppressed",
        context={"listing": listing, "title": listing.title.get(listing.original_language, "")},
    )
