"""The message pages: "Ask the seller" on the listing page, the order page's panel, my
conversations and a thread, with the redaction warning shown when it happened."""

from __future__ import annotations

from typing import Any

import pytest

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.core.models import AuditEvent
from shiji.messaging import services
from shiji.messaging.models import Conversation, Message
from shiji.orders.tests.factories import listing_jp, order_placed, seller_jp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rates() -> None:
    demo_rates()


def test_signed_out_visitors_get_a_sign_in_link(client: Any) -> None:
    listing = listing_jp()
    page = client.get(f"/listings/{listing.pk}/").content.decode()
    assert f"/login/?next=/listings/{listing.pk}/" in page
    assert f'action="/listings/{listing.pk}/ask/"' not in page
    assert client.post(f"/listings/{listing.pk}/ask/", {"text": "hi"}).status_code == 302
    assert not Message.objects.exists()


def test_a_buyer_asks_from_the_listing_page_and_sees_the_warning(client: Any) -> None:
    buyer, listing = chinese_buyer(), listing_jp()
    client.force_login(buyer)
    page = client.get(f"/listings/{listing.pk}/").content.decode()
    assert f'action="/listings/{listing.pk}/ask/"' in page
    response = client.post(f"/listings/{listing.pk}/ask/", {"text": "能便宜吗？邮箱 xiaoming@163.com"}, follow=True)
    conversation = Conversation.objects.get()
    assert response.redirect_chain[-1][0].startswith(f"/messages/{conversation.pk}/")
    html = response.content.decode()
    assert "xiaoming@163.com" not in html
    assert "能便宜吗？" in html
    assert str(services.redaction_warning()) in html
    # the listing page now links to the conversation
    assert f"/messages/{conversation.pk}/" in client.get(f"/listings/{listing.pk}/").content.decode()


def test_the_seller_replies_on_the_thread_page(client: Any) -> None:
    buyer, seller = chinese_buyer(), seller_jp()
    conversation = services.inquiry_start(buyer=buyer, listing_id=listing_jp(seller).pk, text="在吗？").conversation
    client.force_login(seller)
    mine = client.get("/messages/").content.decode()
    assert f"/messages/{conversation.pk}/" in mine and buyer.display_name in mine and "在吗？" in mine
    response = client.post(f"/messages/{conversation.pk}/", {"text": "はい、在庫あります"})
    assert response.status_code == 302
    assert Message.objects.filter(sender=seller, text="はい、在庫あります").exists()
    empty = client.post(f"/messages/{conversation.pk}/", {"text": ""})
    assert empty.status_code == 422
    assert Message.objects.count() == 2


def test_strangers_get_404_for_a_thread_page(client: Any) -> None:
    conversation = services.inquiry_start(buyer=chinese_buyer(), listing_id=listing_jp().pk, text="hi").conversation
    client.force_login(chinese_buyer())
    assert client.get(f"/messages/{conversation.pk}/").status_code == 404
    assert client.post(f"/messages/{conversation.pk}/", {"text": "x"}).status_code == 404


def test_the_order_page_panel_shows_the_thread_and_sends(client: Any) -> None:
    order = order_placed()
    client.force_login(order.buyer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f'action="/orders/{order.pk}/messages/"' in page
    response = client.post(f"/orders/{order.pk}/messages/", {"text": "LINE ID: taro_0123 で連絡ください"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/orders/{order.pk}/#order-messages"
    assert "taro_0123" not in html and "で連絡ください" in html
    assert str(services.redaction_warning()) in html

    client.force_login(order.seller)
    assert "で連絡ください" in client.get(f"/orders/{order.pk}/").content.decode()
    client.force_login(chinese_buyer())
    assert client.post(f"/orders/{order.pk}/messages/", {"text": "x"}).status_code == 404


def test_an_arbitrator_reads_the_order_panel_without_a_form_and_it_is_audited(client: Any) -> None:
    order = order_placed()
    services.order_message_send(sender=order.buyer, order_id=order.pk, text="where is it?")
    arbitrator = UserFactory(roles=["arbitrator"])
    client.force_login(arbitrator)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "where is it?" in page
    assert f'action="/orders/{order.pk}/messages/"' not in page
    assert AuditEvent.objects.filter(action="messaging.thread_viewed_by_staff", actor=arbitrator).exists()
