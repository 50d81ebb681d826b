from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from shiji.catalog.models import Listing


def send_listing_suppressed(*, listing_id: str) -> None:
    listing = Listing.objects.select_related("seller").filter(pk=listing_id, status="suppressed").first()
    if listing is None:
        return
    seller = listing.seller
    with translation.override(seller.language):
        ctx = {
            "listing": listing,
            "title": listing.title.get(listing.original_language, ""),
            "user": seller,
            "site_url": settings.SHIJI_SITE_URL,
        }
        subject = render_to_string("catalog/email/suppressed_subject.txt", ctx).strip()
        body = render_to_string("catalog/email/suppressed_body.txt", ctx)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [seller.email])
