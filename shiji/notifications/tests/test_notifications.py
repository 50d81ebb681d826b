"""Buyers and sellers hear about each order transition: in the app, by e-mail, in their language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase

from shiji.accounts.tests.factories import UserFactory
from shiji.notifications.models import Notification
from shiji.orders import flow
from shiji.orders.tests.factories import mark_shipped, order_placed, pay

pytestmark = pytest.mark.django_db


def _kinds(user):
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk").values_list("kind", flat=True))


def test_each_transition_tells_the_right_people_after_commit():
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = order_placed()
    order = pay(order)
    mark_shipped(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    assert _kinds(order.seller) == ["order.placed.seller", "order.paid.seller", "order.completed.seller"]
    assert _kinds(order.buyer) == ["order.paid.buyer", "order.completed.buyer"]
    # one e-mail per notification, to the person it concerns
    assert sorted(m.to[0] for m in mail.outbox) == sorted([order.seller.email] * 3 + [order.buyer.email] * 2)


def test_texts_are_in_the_readers_language(api_as):
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = order_placed()
    pay(order)
    buyer_mail = [m for m in mail.outbox if m.to == [order.buyer.email]]
    assert buyer_mail and "托管" in buyer_mail[0].body  # the Chinese buyer reads Chinese
    seller_items = api_as(order.seller).get("/me/notifications").json()["items"]
    assert any("発送" in item["text"] for item in seller_items)  # the Japanese seller reads Japanese


def test_nothing_is_sent_when_the_transaction_rolls_back():
    order_placed()  # rates, listing and the first notification exist; start from a clean outbox
    mail.outbox.clear()
    before = Notification.objects.count()

    class Abort(Exception):
        pass

    def order_then_fail() -> None:
        with transaction.atomic():
            order_placed()  # notifies the seller inside the transaction …
            raise Abort  # … which then fails

    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(Abort):
        order_then_fail()
    assert Notification.objects.count() == before
    assert mail.outbox == []


def test_the_api_lists_only_ones_own_notifications_and_marks_them_read(api_as):
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = order_placed()
    seller = api_as(order.seller)
    page = seller.get("/me/notifications").json()
    assert page["unread"] == 1 and len(page["items"]) == 1
    notification_id = page["items"][0]["id"]
    stranger = api_as(UserFactory())
    assert stranger.get("/me/notifications").json()["items"] == []
    assert stranger.post(f"/me/notifications/{notification_id}/read").status_code == 404
    assert seller.post(f"/me/notifications/{notification_id}/read").json() == {"marked": 1}
    assert seller.get("/me/notifications").json()["unread"] == 0


def test_the_notifications_page_lists_them(client):
    with TestCase.captureOnCommitCallbacks(execute=True):
        order = order_placed()
    client.force_login(order.seller)
    html = client.get("/my/notifications/").content.decode()
    assert order.listing.title["ja"] in html
    client.post("/my/notifications/read/")
    assert not Notification.objects.filter(user=order.seller, read_at__isnull=True).exists()
