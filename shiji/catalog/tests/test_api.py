"""The catalog endpoints of API.md, including their errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.tests.factories import demo_rates, draft, listing_data, published
from shiji.core.money import Money
from shiji.core.tests import images

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rates():
    demo_rates()


def test_categories_tree_has_three_languages_and_hs_codes(api):
    tree = api.get("/categories").json()
    slugs = {node["slug"] for node in tree}
    assert {
        "vintage-clothing",
        "bags",
        "anime-figures",
        "handmade",
        "ceramics",
        "cosmetics",
        "books-media",
        "electronics",
        "local-food",
    } <= slugs
    vintage = next(node for node in tree if node["slug"] == "vintage-clothing")
    assert vintage["names"] == {"zh-hans": "古着", "ja": "古着", "en": "Vintage clothing"}
    assert len(vintage["hs_code"]) == 6
    assert any(child["slug"] == "dresses" for child in vintage["children"])


def test_seller_creates_uploads_and_publishes_through_the_api(api_as):
    seller = UserFactory(verification_level=1)
    client = api_as(seller)
    created = client.post("/listings", listing_data())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["price"] == {"amount": "6800", "currency": "JPY"}
    listing_id = body["id"]
    no_photo = client.post(f"/listings/{listing_id}/publish")
    assert no_photo.status_code == 409 and no_photo.json()["error"]["code"] == "photo_required"
    upload = client.post_multipart(
        f"/listings/{listing_id}/photos", {"image": SimpleUploadedFile("a.jpg", images.jpeg_with_gps(), "image/jpeg")}
    )
    assert upload.status_code == 201, upload.content
    photo = upload.json()
    assert photo["url"].startswith("/media/listings/") and photo["thumbnail_url"].endswith("_t.jpg")
    published_body = client.post(f"/listings/{listing_id}/publish").json()
    assert published_body["status"] == "active" and published_body["published_at"].endswith("Z")


def test_photo_upload_errors(api_as):
    seller = UserFactory()
    client = api_as(seller)
    listing = draft(seller)
    svg = client.post_multipart(
        f"/listings/{listing.id}/photos", {"image": SimpleUploadedFile("x.svg", images.SVG, "image/svg+xml")}
    )
    assert svg.status_code == 422 and "image" in svg.json()["error"]["fields"]
    assert client.post_multipart(f"/listings/{listing.id}/photos", {}).status_code == 422


def test_display_price_in_the_asked_or_viewers_currency(api, api_as, no_fx_margin):
    listing = published(UserFactory(), price={"amount": "1500", "currency": "JPY"})
    asked = api.get(f"/listings/{listing.id}", {"currency": "CNY"}).json()
    assert asked["display_price"]["currency"] == "CNY"
    assert asked["display_price"]["amount"] == "72.00"  # 1500 / 150 × 7.2
    assert Decimal(asked["display_price"]["rate"]) == Decimal("7.2") / Decimal(150)
    assert asked["display_price"]["rate_at"].endswith("Z")
    mine = api_as(chinese_buyer()).get(f"/listings/{listing.id}").json()
    assert mine["display_price"]["currency"] == "CNY"
    krw = api.get(f"/listings/{listing.id}", {"currency": "KRW"}).json()["display_price"]
    assert krw["amount"] == "14000"
    bad = api.get(f"/listings/{listing.id}", {"currency": "XYZ"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


def test_drafts_and_other_peoples_listings_are_not_found(api, api_as):
    owner = UserFactory()
    listing = draft(owner)
    assert api.get(f"/listings/{listing.id}").status_code == 404
    stranger = api_as(UserFactory())
    assert stranger.get(f"/listings/{listing.id}").status_code == 404
    assert stranger.patch(f"/listings/{listing.id}", {"quantity": 5}).status_code == 404
    assert api_as(owner).get(f"/listings/{listing.id}").status_code == 200


def test_patch_and_delete_by_the_seller(api_as):
    seller = UserFactory()
    client = api_as(seller)
    listing = published(seller)
    patched = client.patch(
        f"/listings/{listing.id}", {"quantity": 4, "title": {"ja": "新しいタイトル", "en": "New title"}}
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["quantity"] == 4 and patched.json()["title"]["en"] == "New title"
    bad = client.patch(f"/listings/{listing.id}", {"price": {"amount": "1.5", "currency": "JPY"}})
    assert bad.status_code == 422
    removed = client.client.delete(
        f"/api/v1/listings/{listing.id}", headers={"Authorization": f"Bearer {client.token}"}
    )
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    stranger = api_as(UserFactory())
    other = stranger.client.delete(
        f"/api/v1/listings/{listing.id}", headers={"Authorization": f"Bearer {stranger.token}"}
    )
    assert other.status_code == 404


def test_destination_rules_tell_the_viewer_why(api, api_as):
    seller = UserFactory()
    mayo = published(seller, category="snacks", title={"ja": "キユーピー マヨネーズ 450g"})
    body = api_as(chinese_buyer(language="zh-hans")).get(f"/listings/{mayo.id}").json()
    assert body["destination"]["country"] == "CN" and body["destination"]["prohibited"] is True
    assert "蛋黄酱" in body["destination"]["reason"]
    japan = api.get(f"/listings/{mayo.id}", {"country": "JP"}).json()["destination"]
    assert japan["prohibited"] is False and japan["ships"] is True


def test_my_listings_lists_own_drafts_only(api_as):
    seller = UserFactory()
    draft(seller)
    published(seller)
    draft(UserFactory())
    page = api_as(seller).get("/me/listings").json()
    assert len(page["items"]) == 2
    assert {item["status"] for item in page["items"]} == {"draft", "active"}
    drafts = api_as(seller).get("/me/listings", {"status": "draft"}).json()
    assert [item["status"] for item in drafts["items"]] == ["draft"]


def test_suppressed_listing_is_hidden_and_the_seller_sees_why(api, api_as):
    seller = UserFactory()
    listing = published(seller)
    moderator = api_as(UserFactory(roles=["moderator"]))
    assert api_as(UserFactory()).post(f"/staff/listings/{listing.id}/suppress", {"reason": "x"}).status_code == 403
    response = moderator.post(f"/staff/listings/{listing.id}/suppress", {"reason": "Counterfeit suspected."})
    assert response.status_code == 200 and response.json()["status"] == "suppressed"
    assert api.get(f"/listings/{listing.id}").status_code == 404
    own = api_as(seller).get(f"/listings/{listing.id}").json()
    assert own["suppressed_reason"] == "Counterfeit suspected."
    assert moderator.post(f"/staff/listings/{listing.id}/reinstate").json()["status"] == "active"
    assert api.get(f"/listings/{listing.id}").json()["suppressed_reason"] is None


def test_a_downloaded_photo_carries_no_exif_and_is_served_safely(api_as, client):
    import io

    from PIL import Image

    seller = UserFactory()
    listing = draft(seller)
    upload = api_as(seller).post_multipart(
        f"/listings/{listing.id}/photos", {"image": SimpleUploadedFile("gps.jpg", images.jpeg_with_gps(), "image/jpeg")}
    )
    for url in (upload.json()["url"], upload.json()["thumbnail_url"]):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        content = b"".join(response.streaming_content)
        with Image.open(io.BytesIO(content)) as image:
            assert image.format == "JPEG"
            assert len(image.getexif()) == 0
        assert b"PhoneMaker" not in content


@pytest.mark.parametrize(("price", "buyer_currency"), [("6800", "CNY"), ("1234", "USD"), ("99999", "KRW")])
def test_display_price_is_what_checkout_charges_for_the_item(api, price, buyer_currency):
    """The price a buyer sees on the listing and in search is the item line of the checkout
    quote: the same customer rate (the rate in force plus the conversion margin)."""
    from shiji.orders import services as orders
    from shiji.orders.tests.factories import SHIP_TO_CN

    listing = published(UserFactory(verification_level=1), price={"amount": price, "currency": "JPY"})
    buyer = chinese_buyer(currency=buyer_currency)
    shown = api.get(f"/listings/{listing.id}", {"currency": buyer_currency}).json()["display_price"]
    quote = orders.quote_create(buyer=buyer, listing_id=listing.pk, quantity=1, ship_to=SHIP_TO_CN)
    assert quote.currency == buyer_currency
    assert Money.from_decimal(shown["amount"], buyer_currency).minor == quote.item_minor
    searched = api.get("/search", {"q": "", "currency": buyer_currency, "limit": 100}).json()["items"]
    assert {i["id"]: i["display_price"]["amount"] for i in searched}[listing.id] == shown["amount"]
