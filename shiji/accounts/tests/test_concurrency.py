"""Racing registrations with one e-mail address: exactly one account, the rest get 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from conftest import ApiClient
from shiji.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_registrations_with_one_email_create_one_account(settings):
    settings.SHIJI_RATE_LIMITS = False
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    lock = threading.Lock()

    def register(n: int) -> None:
        client = ApiClient(ip=f"198.51.100.{n}")
        barrier.wait()
        try:
            response = client.post(
                "/auth/register",
                {
                    "email": "race@example.test",
                    "password": "race-pass-2026!",
                    "display_name": f"Racer {n}",
                    "country": "CN",
                    "language": "zh-hans",
                    "currency": "CNY",
                },
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * (threads_count - 1)
    assert User.objects.filter(email="race@example.test").count() == 1
