"""Brute-force protection: lockout per (account, IP) with a finite cool-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from conftest import ApiClient
from shiji.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_twenty_wrong_passwords_lock_the_account_for_this_ip_until_the_cool_off(api):
    user = UserFactory(email="target@example.test")
    statuses = [api.post("/auth/token", {"email": user.email, "password": f"guess-{n}"}).status_code for n in range(20)]
    assert 429 in statuses
    assert set(statuses) <= {401, 429}
    locked = api.post("/auth/token", {"email": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "rate_limited"
    assert int(locked["Retry-After"]) > 0

    # The same account from another address is not locked (lockout is per account + IP).
    other_ip = ApiClient(ip="203.0.113.9")
    assert other_ip.post("/auth/token", {"email": user.email, "password": PASSWORD}).status_code == 200

    # Once the cool-off has passed, the right password works again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(hours=1))
    assert api.post("/auth/token", {"email": user.email, "password": PASSWORD}).status_code == 200


def test_the_login_page_is_locked_too(client):
    user = UserFactory(email="page@example.test")
    for n in range(12):
        client.post("/login/", {"email": user.email, "password": f"wrong-{n}"})
    response = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
