"""Listing lifecycle, validation, photos and the verification gate at publish."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from shiji.accounts.tests.factories import UserFactory
from shiji.catalog import services
from shiji.catalog.errors import PhotoLimit, PhotoRequired
from shiji.catalog.models import Listing, ListingEvent, ListingPhoto
from shiji.catalog.tests.factories import demo_rates, draft, listing_data, published
from shiji.core.errors import InvalidInput, InvalidState, NotFound
from shiji.core.images import ImageRejected
from shiji.core.models import AuditEvent
from shiji.core.tests import images
from shiji.identity.errors import VerificationRequired

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rates():
    demo_rates()


def test_create_makes_a_draft_with_every_field():
    seller = UserFactory()
    listing = draft(seller)
    assert listing.status == "draft"
    assert listing.id.startswith("lst_")
    assert (listing.price_minor, listing.currency) == (6800, "JPY")
    assert (listing.length_cm, listing.width_cm, listing.height_cm) == (30, 25, 8)
    assert listing.ships_to_codes == "*"
    assert listing.effective_hs_code == listing.category.hs_code == "620442"
    assert ListingEvent.objects.filter(subject=listing, to_state="draft").exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"price": {"amount": "12.5", "currency": "JPY"}}, "price.amount"),
        ({"price": {"amount": "0", "currency": "JPY"}}, "price.amount"),
        ({"price": {"amount": "10", "currency": "XYZ"}}, "price.currency"),
        ({"category": "no-such-category"}, "category"),
        ({"condition": "mint"}, "condition"),
        ({"title": {"ja": ""}}, "title"),
        ({"title": {"en": "Only English"}}, "title"),  # original language is ja
        ({"title": {"xx": "?"}}, "title"),
        ({"size_cm": [30, 25]}, "size_cm"),
        ({"size_cm": [30, 25, 0]}, "size_cm"),
        ({"weight_g": 0}, "weight_g"),
        ({"quantity": 0}, "quantity"),
        ({"ships_to": []}, "ships_to"),
        ({"ships_to": ["CN", "XX"]}, "ships_to"),
        ({"ships_from": "Japan"}, "ships_from"),
        ({"handling_days": 31}, "handling_days"),
        ({"hs_code": "12345"}, "hs_code"),
        ({"tags": ["x" * 31]}, "tags"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(override, field):
    with pytest.raises(InvalidInput) as exc:
        services.listing_create(seller=UserFactory(), data=listing_data(**override))
    assert field in exc.value.fields
    assert Listing.objects.count() == 0


def test_publish_needs_a_photo_then_goes_active():
    seller = UserFactory()
    listing = draft(seller)
    with pytest.raises(PhotoRequired):
        services.listing_publish(seller=seller, listing_id=listing.id)
    services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(images.png()))
    services.listing_publish(seller=seller, listing_id=listing.id)
    listing.refresh_from_db()
    assert listing.status == "active" and listing.published_at is not None
    with pytest.raises(InvalidState):
        services.listing_publish(seller=seller, listing_id=listing.id)


def test_unverified_seller_is_stopped_past_the_limit_verified_is_not():
    seller = UserFactory(verification_level=0)
    published(seller, price={"amount": "30000", "currency": "JPY"})  # US$200
    second = draft(seller, price={"amount": "20000", "currency": "JPY"})  # +US$133 → over US$300
    services.photo_add(seller=seller, listing_id=second.id, image=io.BytesIO(images.png()))
    with pytest.raises(VerificationRequired) as exc:
        services.listing_publish(seller=seller, listing_id=second.id)
    assert exc.value.status == 403 and exc.value.code == "verification_required"
    second.refresh_from_db()
    assert second.status == "draft"
    seller.verification_level = 1
    seller.save()
    services.listing_publish(seller=seller, listing_id=second.id)


def test_photos_are_clean_and_capped_at_twelve():
    seller = UserFactory()
    listing = draft(seller)
    first = services.photo_add(
        seller=seller, listing_id=listing.id, image=io.BytesIO(images.jpeg_with_gps((2400, 1800)))
    )
    stored = Path(settings.MEDIA_ROOT) / first.image_path
    with Image.open(stored) as image:
        assert image.size == (1600, 1200)
        assert len(image.getexif()) == 0
    with Image.open(Path(settings.MEDIA_ROOT) / first.thumbnail_path) as thumb:
        assert max(thumb.size) == 480
    for _ in range(11):
        services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(images.png()))
    with pytest.raises(PhotoLimit):
        services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(images.png()))
    assert ListingPhoto.objects.filter(listing=listing).count() == 12


def test_bad_photos_are_refused_and_nothing_is_stored():
    seller = UserFactory()
    listing = draft(seller)
    for data in (images.SVG, images.png_bomb(), b"not an image"):
        with pytest.raises(ImageRejected):
            services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(data))
    assert ListingPhoto.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_photos_can_be_reordered_and_deleted():
    seller = UserFactory()
    listing = draft(seller)
    ids = [
        services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(images.png())).id for _ in range(3)
    ]
    services.photos_reorder(seller=seller, listing_id=listing.id, photo_ids=[ids[2], ids[0], ids[1]])
    assert list(ListingPhoto.objects.filter(listing=listing).order_by("position").values_list("id", flat=True)) == [
        ids[2],
        ids[0],
        ids[1],
    ]
    with pytest.raises(InvalidInput):
        services.photos_reorder(seller=seller, listing_id=listing.id, photo_ids=[ids[0], ids[1]])
    services.photo_delete(seller=seller, listing_id=listing.id, photo_id=ids[2])
    assert list(
        ListingPhoto.objects.filter(listing=listing).order_by("position").values_list("position", flat=True)
    ) == [0, 1]


def test_other_sellers_get_not_found():
    owner, other = UserFactory(), UserFactory()
    listing = draft(owner)
    for call in (
        lambda: services.listing_update(seller=other, listing_id=listing.id, data={"quantity": 2}),
        lambda: services.listing_publish(seller=other, listing_id=listing.id),
        lambda: services.listing_remove(seller=other, listing_id=listing.id),
        lambda: services.photo_add(seller=other, listing_id=listing.id, image=io.BytesIO(images.png())),
    ):
        with pytest.raises(NotFound):
            call()


def test_stock_zero_sells_out_and_restock_reopens():
    seller = UserFactory()
    listing = published(seller)
    services.listing_update(seller=seller, listing_id=listing.id, data={"quantity": 0})
    listing.refresh_from_db()
    assert listing.status == "sold_out"
    services.listing_update(seller=seller, listing_id=listing.id, data={"quantity": 2})
    listing.refresh_from_db()
    assert listing.status == "active"


def test_removed_listings_cannot_be_edited_or_published():
    seller = UserFactory()
    listing = published(seller)
    services.listing_remove(seller=seller, listing_id=listing.id)
    with pytest.raises(InvalidState):
        services.listing_update(seller=seller, listing_id=listing.id, data={"quantity": 3})
    with pytest.raises(InvalidState):
        services.listing_remove(seller=seller, listing_id=listing.id)


def test_moderators_suppress_with_a_reason_and_can_reinstate(mailoutbox, django_capture_on_commit_callbacks):
    seller = UserFactory(language="ja")
    listing = published(seller)
    with pytest.raises(Exception) as exc:
        services.listing_suppress(moderator=UserFactory(), listing_id=listing.id, reason="x")
    assert exc.value.status == 403  # type: ignore[attr-defined]
    moderator = UserFactory(roles=["moderator"])
    with pytest.raises(InvalidInput):
        services.listing_suppress(moderator=moderator, listing_id=listing.id, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_suppress(moderator=moderator, listing_id=listing.id, reason="Brand logo looks fake.")
    listing.refresh_from_db()
    assert listing.status == "suppressed" and listing.suppressed_reason == "Brand logo looks fake."
    assert AuditEvent.objects.filter(action="listing.suppressed", actor=moderator).exists()
    assert len(mailoutbox) == 1 and "Brand logo looks fake." in mailoutbox[0].body
    services.listing_reinstate(moderator=moderator, listing_id=listing.id)
    listing.refresh_from_db()
    assert listing.status == "active" and listing.suppressed_reason == ""


def test_a_photo_moves_one_place_and_stays_put_at_the_ends():
    seller = UserFactory()
    listing = draft(seller)
    ids = [
        services.photo_add(seller=seller, listing_id=listing.id, image=io.BytesIO(images.png())).id for _ in range(3)
    ]
    moved = services.photo_move(seller=seller, listing_id=listing.id, photo_id=ids[2], step=-1)
    assert [p.id for p in moved] == [ids[0], ids[2], ids[1]]
    assert [p.id for p in services.photo_move(seller=seller, listing_id=listing.id, photo_id=ids[0], step=-1)] == [
        ids[0],
        ids[2],
        ids[1],
    ]
    with pytest.raises(NotFound):
        services.photo_move(seller=UserFactory(), listing_id=listing.id, photo_id=ids[0], step=1)
