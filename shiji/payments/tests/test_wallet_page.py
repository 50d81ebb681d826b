"""The wallet page: balances formatted for the viewer's locale, payouts requested from the page."""

from __future__ import annotations

import pytest
from django.test import TestCase

from shiji.orders import flow
from shiji.orders.tests.factories import mark_shipped, order_placed, pay, seller_jp
from shiji.payments.models import Payout

pytestmark = pytest.mark.django_db


def _seller_with_sale(**kwargs):
    seller = seller_jp(**kwargs)
    from shiji.orders.tests.factories import listing_jp
    from shiji.payments.tests.factories import payout_account

    payout_account(seller)

    order = mark_shipped(pay(order_placed(listing=listing_jp(seller))))
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    return seller


@pytest.mark.parametrize(
    ("language", "shown"),
    [("ja", "￥6,256"), ("en", "¥6,256"), ("zh-hans", "JP¥6,256")],
)
def test_balances_are_formatted_for_the_viewers_locale(client, language, shown):
    seller = _seller_with_sale(language=language)
    client.force_login(seller)
    html = client.get("/my/wallet/").content.decode()
    assert f'<html lang="{language}">' in html
    assert shown in html


def test_a_payout_requested_from_the_page_is_paid_and_listed(client):
    seller = _seller_with_sale(language="en")
    client.force_login(seller)
    response = client.post("/my/wallet/", {"amount": "5000", "currency": "JPY"})
    assert response.status_code == 302
    payout = Payout.objects.get(user=seller)
    assert (payout.amount_minor, payout.status) == (5000, "paid")
    html = client.get("/my/wallet/").content.decode()
    assert "¥1,256" in html and "Paid out" in html


def test_a_refused_payout_keeps_the_form_and_says_why_in_the_users_language(client):
    seller = _seller_with_sale(language="ja")
    client.force_login(seller)
    response = client.post("/my/wallet/", {"amount": "9000", "currency": "JPY"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="9000"' in html
    assert "残高" in html  # the insufficient-funds message, in Japanese
    assert not Payout.objects.exists()


def test_an_unverified_seller_is_told_payouts_are_held(client):
    seller = _seller_with_sale(language="en", verification_level=0)
    client.force_login(seller)
    html = client.get("/my/wallet/").content.decode()
    assert "Payouts are held until your identity is verified." in html
    assert "¥6,256" in html  # held, shown in the Held column


def test_the_wallet_needs_a_signed_in_user(client):
    response = client.get("/my/wallet/")
    assert response.status_code == 302 and "/login/" in response["Location"]
