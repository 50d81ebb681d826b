"""The seller's editor and the buyer's pages, through the browser-facing views."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.models import Listing, ListingPhoto
from shiji.catalog.tests.factories import demo_rates
from shiji.core.tests import images

pytestmark = pytest.mark.django_db

FORM = {
    "original_language": "ja",
    "title": "昭和レトロ 花柄ワンピース",
    "description": "70年代の古着",
    "story": "祖母の一着",
    "title_zh_hans": "昭和复古碎花连衣裙",
    "title_ja": "",
    "title_en": "",
    "category": "",
    "condition": "good",
    "price": "6800",
    "currency": "JPY",
    "quantity": "1",
    "weight_g": "800",
    "length_cm": "30",
    "width_cm": "25",
    "height_cm": "8",
    "ships_from": "JP",
    "ships_to": "CN, HK",
    "handling_days": "3",
    "tags": "古着，vintage",
    "hs_code": "",
}


def test_a_japanese_seller_lists_an_item_and_a_chinese_buyer_sees_it_in_yuan(client):
    demo_rates()
    from shiji.catalog.selectors import category_resolve

    seller = UserFactory(language="ja", verification_level=1)
    client.force_login(seller)
    bad = client.post("/sell/", {**FORM, "category": category_resolve("dresses").id, "price": ""})
    assert bad.status_code == 200 and "昭和レトロ 花柄ワンピース" in bad.content.decode()  # nothing lost
    created = client.post("/sell/", {**FORM, "category": category_resolve("dresses").id})
    assert created.status_code == 302
    listing = Listing.objects.get(seller=seller)
    assert listing.title == {"ja": "昭和レトロ 花柄ワンピース", "zh-hans": "昭和复古碎花连衣裙"}
    assert listing.ships_to == ["CN", "HK"] and listing.tags == ["古着", "vintage"]

    for _ in range(2):
        upload = client.post(
            f"/listings/{listing.id}/photos/", {"image": SimpleUploadedFile("p.png", images.png(), "image/png")}
        )
        assert upload.status_code == 302
    first, second = ListingPhoto.objects.filter(listing=listing).order_by("position")
    client.post(f"/listings/{listing.id}/photos/{second.id}/", {"action": "up"})
    assert list(ListingPhoto.objects.filter(listing=listing).order_by("position")) == [second, first]
    client.post(f"/listings/{listing.id}/status/", {"action": "publish"})
    listing.refresh_from_db()
    assert listing.status == "active"

    client.logout()
    client.force_login(chinese_buyer())
    page = client.get(f"/listings/{listing.id}/").content.decode()
    assert "昭和复古碎花连衣裙" in page  # the Chinese title the seller added
    assert "¥329.66" in page  # 6,800 JPY at 150 JPY = 7.2 CNY per USD, plus the 1 % conversion margin
    assert "JP¥6,800" in page
    found = client.get("/search/", {"q": "连衣裙"}).content.decode()
    assert listing.id in found


def test_other_people_cannot_open_the_editor(client):
    owner = UserFactory()
    from shiji.catalog.tests.factories import draft

    listing = draft(owner)
    client.force_login(UserFactory())
    assert client.get(f"/listings/{listing.id}/edit/").status_code == 404
    assert client.post(f"/listings/{listing.id}/status/", {"action": "publish"}).status_code == 404
    assert client.get(f"/listings/{listing.id}/").status_code == 404
