"""Hot stock (issue 5, first acceptance point): hundreds of buyers press "buy" on one listing at
the same instant. Real threads, each with its own database connection and real transactions, on
whichever database the suite runs on (SQLite and PostgreSQL in CI).

Every buyer gets a quote before the race. A pool of at most 50 threads then places the orders:
the attempts are cut into batches of 50, and each batch is released together by a barrier, so
at least 50 ``order_create`` calls are truly simultaneous (the next batch waits for the slowest
of the previous one). Winners get an order; every loser gets ``OutOfStock`` and nothing else.

Runtime: about 45 s on PostgreSQL, 3–3.5 min on SQLite. There each batch of 50 writers released
at once waits for the single write lock in SQLite's busy handler, which sleeps up to 100 ms
between tries (docs/performance.md, "Hot stock").
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory
from shiji.catalog import services as catalog_services
from shiji.catalog.models import Listing
from shiji.catalog.states import ListingStatus
from shiji.catalog.tests.factories import demo_rates
from shiji.orders import services
from shiji.orders.errors import OutOfStock
from shiji.orders.models import Order
from shiji.orders.tests.factories import SHIP_TO_CN, listing_jp, seller_jp
from shiji.payments.models import Payment

# Transactional: real commits that the other threads see. The tables are emptied after each test;
# conftest seeds the reference data (categories, customs rules, carrier services) again.
pytestmark = [pytest.mark.django_db(transaction=True)]

THREADS = 50  # at most this many connections at once (PostgreSQL's max_connections is shared)


# --- helpers ---------------------------------------------------------------------------------


def chinese_buyers(count: int) -> list[User]:
    """``count`` buyers in China paying in yuan (no password: hashing is not what is tested)."""
    return UserFactory.create_batch(
        count, password=None, country="CN", language="zh-hans", currency="CNY", timezone="Asia/Shanghai"
    )


def quotes_for(buyers: Sequence[User], listing: Listing) -> list[str]:
    """One quote (for one piece) per buyer, through the service."""
    return [
        services.quote_create(buyer=buyer, listing_id=listing.pk, quantity=1, ship_to=SHIP_TO_CN).pk for buyer in buyers
    ]


def checkouts(buyers: Sequence[User], quote_ids: Sequence[str]) -> list[Callable[[], Any]]:
    def checkout(buyer: User, quote_id: str) -> Callable[[], Any]:
        return lambda: services.order_create(buyer=buyer, quote_id=quote_id)

    return [checkout(buyer, quote_id) for buyer, quote_id in zip(buyers, quote_ids, strict=True)]


class StockWatcher(threading.Thread):
    """Reads the listings' stock over and over while the race runs; keeps the lowest value seen."""

    def __init__(self, listing_ids: Sequence[str]) -> None:
        super().__init__(name="stock-watcher", daemon=True)
        self.listing_ids = list(listing_ids)
        self.lowest: int | None = None
        self.reads = 0
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.done.is_set():
                quantities = Listing.objects.filter(pk__in=self.listing_ids).values_list("quantity", flat=True)
                lowest = min(quantities)
                self.lowest = lowest if self.lowest is None else min(self.lowest, lowest)
                self.reads += 1
                time.sleep(0.002)
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()


def race_in_batches(attempts: Sequence[Callable[[], Any]], threads: int = THREADS) -> list[Any]:
    """Run the attempts on a pool of ``threads`` threads, each with its own connection (closed at
    the end). Attempts go in batches of ``threads``, each batch released at once by its own
    barrier. Returns each attempt's result or the exception it raised, in order."""
    batches = [list(range(start, min(start + threads, len(attempts)))) for start in range(0, len(attempts), threads)]
    barriers = [threading.Barrier(len(batch)) for batch in batches]
    results: list[Any] = [None] * len(attempts)

    def worker(slot: int) -> None:
        try:
            for batch, barrier in zip(batches, barriers, strict=True):
                if slot >= len(batch):
                    continue
                index = batch[slot]
                try:
                    barrier.wait(timeout=60)
                    results[index] = attempts[index]()
                except Exception as exc:
                    results[index] = exc
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(slot,), name=f"buyer-{slot}") for slot in range(len(batches[0]))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in pool), "a buyer thread is stuck"
    return results


def race_and_check(listing: Listing, stock: int, buyers: Sequence[User], quote_ids: Sequence[str]) -> list[Any]:
    """Every buyer tries to order its piece at once while a watcher reads the stock. Exactly
    ``stock`` buyers get an order, everyone else ``out_of_stock``, nothing else is raised, the
    stock never goes below zero and the listing ends at 0, sold out. Returns the results."""
    orders_before = Order.objects.filter(listing=listing).count()
    watcher = StockWatcher([listing.pk])
    watcher.start()
    try:
        results = race_in_batches(checkouts(buyers, quote_ids))
    finally:
        watcher.done.set()
        watcher.join(timeout=30)

    unexpected = [result for result in results if not isinstance(result, Order | OutOfStock)]
    assert unexpected == [], unexpected[:5]
    outcomes = Counter(type(result).__name__ for result in results)
    assert outcomes == {"Order": stock, "OutOfStock": len(buyers) - stock}
    assert {result.code for result in results if isinstance(result, OutOfStock)} == {"out_of_stock"}
    won = {result.pk: result.buyer_id for result in results if isinstance(result, Order)}
    placed = Order.objects.filter(listing=listing).exclude(pk__in=won)
    assert placed.count() == orders_before, "an order was placed that no buyer was told about"
    assert dict(Order.objects.filter(pk__in=won).values_list("pk", "buyer_id")) == won
    assert sum(Order.objects.filter(pk__in=won).values_list("quantity", flat=True)) == stock
    assert len(set(won.values())) == stock
    assert Payment.objects.filter(order__in=list(won)).count() == stock
    assert watcher.error is None, watcher.error
    assert watcher.reads > 0
    assert watcher.lowest is not None
    assert watcher.lowest >= 0
    listing.refresh_from_db()
    assert (listing.quantity, listing.status) == (0, ListingStatus.SOLD_OUT)
    return results


# --- the races -------------------------------------------------------------------------------


def test_two_hundred_buyers_racing_for_the_last_piece_twenty_times_one_order_each_time():
    """Twenty drops of one piece: each time the seller restocks one piece and the same 200 buyers
    race for it; the previous winner gets a fresh quote, the others still hold theirs."""
    rounds, buyers_count = 20, 200
    demo_rates()
    seller = seller_jp()
    listing = listing_jp(seller, quantity=1)
    buyers = chinese_buyers(buyers_count)
    quote_ids = quotes_for(buyers, listing)
    results: list[Any] = []

    for _ in range(rounds):
        if results:  # the next drop
            catalog_services.listing_update(seller=seller, listing_id=listing.pk, data={"quantity": 1})
            quote_ids = [
                quotes_for([buyer], listing)[0] if isinstance(result, Order) else quote_id
                for buyer, quote_id, result in zip(buyers, quote_ids, results, strict=True)
            ]
        results = race_and_check(listing, 1, buyers, quote_ids)

    assert Order.objects.filter(listing=listing).count() == rounds


def test_five_hundred_buyers_racing_for_ten_pieces_get_exactly_ten_orders():
    buyers_count, stock = 500, 10
    demo_rates()
    listing = listing_jp(seller_jp(), quantity=stock)
    buyers = chinese_buyers(buyers_count)

    race_and_check(listing, stock, buyers, quotes_for(buyers, listing))

    assert Order.objects.count() == stock
