"""The CN cross-border allowance per buyer and year: record, release, idempotency, the limit re-checked."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from shiji.accounts.tests.factories import UserFactory
from shiji.customs.errors import CustomsLimitExceeded, Limit
from shiji.customs.models import CbecAllowanceUse
from shiji.customs.selectors import cbec_used, cbec_year
from shiji.customs.services import cbec_record, cbec_release
from shiji.customs.tests.helpers import m

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_record_counts_once_per_order():
    buyer = UserFactory(country="CN")
    first = cbec_record(buyer=buyer, order_id="ord_1", amount=m("4999", "CNY"), at=AT)
    again = cbec_record(buyer=buyer, order_id="ord_1", amount=m("4999", "CNY"), at=AT)
    assert again.pk == first.pk
    cbec_record(buyer=buyer, order_id="ord_2", amount=m("1000.50", "CNY"), at=AT)
    assert cbec_used(buyer=buyer, year=2026) == m("5999.50", "CNY")
    assert cbec_used(buyer=buyer, year=2027) == m(0, "CNY")
    assert cbec_used(buyer=UserFactory(), year=2026) == m(0, "CNY")


def test_release_gives_the_allowance_back_once():
    buyer = UserFactory(country="CN")
    cbec_record(buyer=buyer, order_id="ord_1", amount=m("3000", "CNY"), at=AT)
    cbec_record(buyer=buyer, order_id="ord_2", amount=m("2000", "CNY"), at=AT)
    assert cbec_release(order_id="ord_1") is True
    assert cbec_release(order_id="ord_1") is False
    assert cbec_release(order_id="never-recorded") is False
    assert cbec_used(buyer=buyer, year=2026) == m("2000", "CNY")
    # recording a cancelled order again does not count it again
    cbec_record(buyer=buyer, order_id="ord_1", amount=m("3000", "CNY"), at=AT)
    assert cbec_used(buyer=buyer, year=2026) == m("2000", "CNY")
    assert CbecAllowanceUse.objects.filter(order_id="ord_1").count() == 1


def test_record_refuses_an_order_that_no_longer_fits_the_year():
    buyer = UserFactory(country="CN")
    cbec_record(buyer=buyer, order_id="ord_1", amount=m("22000", "CNY"), at=AT)
    cbec_record(buyer=buyer, order_id="ord_2", amount=m("4000", "CNY"), at=AT)  # exactly 26,000
    with pytest.raises(CustomsLimitExceeded) as exc:
        cbec_record(buyer=buyer, order_id="ord_3", amount=m("0.01", "CNY"), at=AT)
    assert exc.value.limit is Limit.CN_CBEC_ANNUAL and exc.value.remaining == m(0, "CNY")
    cbec_release(order_id="ord_2")
    cbec_record(buyer=buyer, order_id="ord_3", amount=m("4000", "CNY"), at=AT)
    assert cbec_used(buyer=buyer, year=2026) == m("26000", "CNY")


def test_the_year_is_the_calendar_year_in_china():
    assert cbec_year(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == 2026
    assert cbec_year(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == 2027  # midnight in Beijing
    buyer = UserFactory(country="CN")
    use = cbec_record(buyer=buyer, order_id="ord_ny", amount=m("10", "CNY"), at=datetime(2026, 12, 31, 17, tzinfo=UTC))
    assert use.year == 2027


def test_record_refuses_bad_input():
    buyer = UserFactory(country="CN")
    with pytest.raises(ValueError, match="CNY"):
        cbec_record(buyer=buyer, order_id="ord_1", amount=m("10", "JPY"), at=AT)
    with pytest.raises(ValueError, match="aware"):
        cbec_record(buyer=buyer, order_id="ord_1", amount=m("10", "CNY"), at=datetime(2026, 1, 1))
    cbec_record(buyer=buyer, order_id="ord_1", amount=m("10", "CNY"), at=AT)
    with pytest.raises(ValueError, match="another buyer"):
        cbec_record(buyer=UserFactory(), order_id="ord_1", amount=m("10", "CNY"), at=AT)


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_cannot_pass_the_yearly_limit_together():
    buyer = UserFactory(country="CN")
    cbec_record(buyer=buyer, order_id="ord_0", amount=m("20000", "CNY"), at=AT)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def place(n: int) -> None:
        try:
            barrier.wait()
            cbec_record(buyer=buyer, order_id=f"ord_{n + 1}", amount=m("2000", "CNY"), at=AT)
            results.append("ok")
        except CustomsLimitExceeded:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok"] * 3 + ["refused"] * 5
    assert cbec_used(buyer=buyer, year=2026) == m("26000", "CNY")
