"""Hot-stock benchmark: N buyers race for one listing with stock S through ``order_create``,
against a bare conditional UPDATE on the same database in the same run.

    .venv/bin/python bench/hot_stock.py [--db sqlite|postgres|both] [--buyers 2000] [--stock 1000]
                                        [--threads 50] [--repeat 3] [--database-url URL]

SQLite runs in a temporary file with the production options of ``config/settings/base.py`` (WAL,
``synchronous=NORMAL``, ``BEGIN IMMEDIATE``, 20 s busy timeout); PostgreSQL in a database
``shiji_hot_bench`` on 127.0.0.1:5432 (user postgres), created and dropped by the script, or in
the database of ``--database-url`` (migrated by the script and kept). ``both`` runs one child
process per database, one after the other. Each thread holds a connection: keep ``--threads``
at 60 or fewer on a shared PostgreSQL server. Users, rates and the listing are made through the
services (settings ``config.settings.test``: its cheap Argon2 parameters keep registering
thousands of buyers quick). Figures and how to read them: docs/performance.md, "Hot stock".

Each repetition:

- **order_create**: every buyer holds a quote (``quote_create``, before the clock starts) for one
  piece of the listing, which has S pieces. ``--threads`` threads, each with its own connection
  (opened before the start), are released together by a barrier and then take the next buyer
  until all N have tried: ``order_create(buyer=, quote_id=)``; a loser gets ``OutOfStock``.
  After-commit jobs (the seller's e-mail) are queued in memory, not run: a worker runs them in
  production.
- **bare UPDATE** (the reference): the same threads and the same N attempts, each one
  ``UPDATE catalog_listing SET quantity = quantity - 1 WHERE id = ? AND quantity >= 1`` in
  autocommit on the raw driver cursor, against another listing reset to S.

Reported per contender (medians of the repetitions): attempts/s (N ÷ time until the last attempt
returned), orders/s (S ÷ time until the last successful reservation returned: the rate at which
the stock sells), p50 / p95 latency of one attempt (max per run), any error other than
``OutOfStock`` by type and message, and oversold (reservations beyond S, which
must be 0). The ratios order_create ÷ bare UPDATE are what the service costs on top of the
conditional UPDATE it is built on. Between repetitions the seller restocks the listing
(``listing_update``) and the previous winners get fresh quotes.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_NAME = "shiji_hot_bench"
BARE_UPDATE = "UPDATE catalog_listing SET quantity = quantity - 1 WHERE id = %s AND quantity >= 1"
PASSWORD = "bench-password-0f9c2e"  # noqa: S105


@dataclass
class Race:
    """One contender's run: N attempts on T threads."""

    elapsed: float  # seconds, from the release to the last attempt
    sold_out_after: float  # seconds, from the release to the last successful reservation
    latencies: list[float]  # ms, one per attempt
    won: int
    lost: int
    errors: Counter[str] = field(default_factory=Counter)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def hammer(attempt: Callable[[int], bool], count: int, threads: int) -> Race:
    """Run ``attempt(0 … count-1)`` on ``threads`` threads, each with its own connection, all
    released by one barrier; each thread takes the next number until none is left. ``attempt``
    returns True when it reserved a piece, False when it was refused for lack of stock."""
    from django.db import connection

    numbers = itertools.count()
    next_lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    wins: list[float] = []
    errors: Counter[str] = Counter()

    def worker() -> None:
        mine: list[float] = []
        my_wins: list[float] = []
        my_errors: Counter[str] = Counter()
        try:
            connection.ensure_connection()
            barrier.wait()
            while True:
                with next_lock:
                    n = next(numbers)
                if n >= count:
                    break
                started = time.perf_counter()
                try:
                    won = attempt(n)
                except Exception as exc:
                    my_errors[f"{type(exc).__name__} ({exc})"[:80]] += 1
                    won = False
                ended = time.perf_counter()
                mine.append((ended - started) * 1000)
                if won:
                    my_wins.append(ended)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                wins.extend(my_wins)
                errors.update(my_errors)

    pool = [threading.Thread(target=worker, name=f"buyer-{n}") for n in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    ended = time.perf_counter()
    return Race(
        elapsed=ended - started,
        sold_out_after=(max(wins) - started) if wins else float("nan"),
        latencies=latencies,
        won=len(wins),
        lost=len(latencies) - len(wins) - sum(errors.values()),
        errors=errors,
    )


# --- Seeding through the services ------------------------------------------------------------
def _png() -> io.BytesIO:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 120, 200)).save(out, "PNG")
    out.seek(0)
    return out


def seed(buyers: int) -> tuple[Any, list[Any]]:
    """FX rates, a verified seller in Japan and ``buyers`` buyers in China paying in yuan."""
    from shiji.accounts.services import user_raise_verification_level, user_register
    from shiji.fx.services import fx_rate_set

    tag = f"{os.getpid()}-{int(time.time())}"  # unique, so a kept --database-url can be reused
    for quote, rate in {"JPY": "150", "CNY": "7.2"}.items():
        fx_rate_set(actor=None, base="USD", quote=quote, rate=rate, source="bench")
    seller = user_register(
        email=f"seller.{tag}@example.test",
        password=PASSWORD,
        display_name="Seller",
        country="JP",
        language="ja",
        currency="JPY",
    )
    user_raise_verification_level(user_id=seller.pk, level=1)
    seller.refresh_from_db()
    people = [
        user_register(
            email=f"buyer{n}.{tag}@example.test",
            password=PASSWORD,
            display_name=f"Buyer {n}",
            country="CN",
            language="zh-hans",
            currency="CNY",
        )
        for n in range(buyers)
    ]
    return seller, people


def listing_published(seller: Any, stock: int, title: str) -> Any:
    from shiji.catalog import services

    listing = services.listing_create(
        seller=seller,
        data={
            "category": "dresses",
            "title": {"ja": title},
            "description": {"ja": "限定品です。"},
            "original_language": "ja",
            "condition": "new",
            "price": {"amount": "6800", "currency": "JPY"},
            "quantity": stock,
            "weight_g": 800,
            "size_cm": [30, 25, 8],
            "ships_from": "JP",
            "ships_to": ["*"],
            "handling_days": 3,
        },
    )
    services.photo_add(seller=seller, listing_id=listing.pk, image=_png())
    return services.listing_publish(seller=seller, listing_id=listing.pk)


def quote_for(buyer: Any, listing_id: str) -> str:
    from shiji.orders.services import quote_create
    from shiji.shipping.tests.factories import SHIP_TO_CN

    return quote_create(buyer=buyer, listing_id=listing_id, quantity=1, ship_to=SHIP_TO_CN).pk


# --- One database ----------------------------------------------------------------------------
@dataclass
class Figures:
    attempts_per_s: list[float] = field(default_factory=list)
    orders_per_s: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    oversold: list[int] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, race: Race, stock: int, oversold: int) -> None:
        self.attempts_per_s.append(len(race.latencies) / race.elapsed)
        self.orders_per_s.append(race.won / race.sold_out_after if race.won else 0.0)
        self.p50.append(_percentile(race.latencies, 50))
        self.p95.append(_percentile(race.latencies, 95))
        self.oversold.append(oversold)
        self.errors.update(race.errors)

    def median(self, name: str) -> float:
        return statistics.median(getattr(self, name))


def run_one(db: str, buyers: int, stock: int, threads: int, repeat: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="shiji-hot-"))
    created = False
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    elif database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        _pg_admin("CREATE DATABASE {}", PG_NAME)
        created = True
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    os.environ["SHIJI_VAR_DIR"] = str(workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        seller, people = seed(buyers)
        hot = listing_published(seller, stock, "限定 ワンピース")
        reference = listing_published(seller, stock, "参照用")
        quotes = [quote_for(buyer, hot.pk) for buyer in people]
        seeded = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()" if db == "postgres" else "SELECT 'SQLite ' || sqlite_version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        connection.close()  # the main thread holds no connection while the threads race
        _jobs_queued_not_run()
        print(
            f"\n## {db}: {buyers:,} buyers, stock {stock:,}, {threads} threads, {repeat} repetitions; {version}; "
            f"{os.cpu_count()} CPUs"
        )
        print(f"seeded {buyers:,} buyers and their quotes through the services in {seeded:.1f} s")
        service, bare = Figures(), Figures()
        for rep in range(1, repeat + 1):
            if rep > 1:
                quotes = _restock(seller, hot.pk, stock, people, quotes)
                _reset(reference.pk, stock)
            bare_race = hammer(_bare_update(reference.pk), buyers, threads)
            bare.add(bare_race, stock, max(0, bare_race.won - stock))
            service_race, oversold = _order_race(hot.pk, people, quotes, stock, threads)
            service.add(service_race, stock, oversold)
            for name, race in (("bare UPDATE", bare_race), ("order_create", service_race)):
                errors = ", ".join(f"{k} ×{v}" for k, v in race.errors.items()) or "no errors"
                print(
                    f"  run {rep} {name:<13} {race.elapsed:6.2f} s: {race.won} reserved, {race.lost} refused, "
                    f"{errors}; p50 {_percentile(race.latencies, 50):.2f} ms, "
                    f"p95 {_percentile(race.latencies, 95):.2f} ms, max {max(race.latencies):.0f} ms"
                )
        report(service, bare)
        connection.close()
    finally:
        if created:
            _pg_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", PG_NAME)
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        workdir.rmdir()


def _jobs_queued_not_run() -> None:
    """The test settings run jobs inline (Huey immediate mode); here they are only queued, in
    memory, as a web process queues them for a worker."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    HUEY.storage = HUEY.get_immediate_storage()


def _bare_update(listing_id: str) -> Callable[[int], bool]:
    from django.db import connection

    def attempt(n: int) -> bool:
        raw = connection.connection
        cursor = raw.cursor()
        cursor.execute(BARE_UPDATE.replace("%s", "?") if connection.vendor == "sqlite" else BARE_UPDATE, (listing_id,))
        reserved = cursor.rowcount == 1
        cursor.close()
        return reserved

    return attempt


def _order_race(listing_id: str, people: list[Any], quotes: list[str], stock: int, threads: int) -> tuple[Race, int]:
    from shiji.catalog.models import Listing
    from shiji.orders.errors import OutOfStock
    from shiji.orders.models import Order
    from shiji.orders.services import order_create

    before = Order.objects.filter(listing_id=listing_id).count()

    def attempt(n: int) -> bool:
        try:
            order_create(buyer=people[n], quote_id=quotes[n])
        except OutOfStock:
            return False
        return True

    race = hammer(attempt, len(people), threads)
    placed = Order.objects.filter(listing_id=listing_id).count() - before
    left = Listing.objects.get(pk=listing_id).quantity
    if placed != race.won or placed + left != stock:
        print(f"  !! inconsistent: {race.won} reported, {placed} orders placed, {left} left of {stock}")
    return race, max(0, placed - stock)


def _restock(seller: Any, listing_id: str, stock: int, people: list[Any], quotes: list[str]) -> list[str]:
    """The seller puts S pieces back on sale; last round's winners get fresh quotes."""
    from django.db import connection

    from shiji.catalog.services import listing_update
    from shiji.orders.models import Order

    listing_update(seller=seller, listing_id=listing_id, data={"quantity": stock})
    used = set(Order.objects.filter(quote_id__in=quotes).values_list("quote_id", flat=True))
    fresh = [
        quote_for(buyer, listing_id) if quote in used else quote for buyer, quote in zip(people, quotes, strict=True)
    ]
    connection.close()
    return fresh


def _reset(listing_id: str, stock: int) -> None:
    from django.db import connection

    from shiji.catalog.models import Listing

    Listing.objects.filter(pk=listing_id).update(quantity=stock)
    connection.close()


def report(service: Figures, bare: Figures) -> None:
    print(f"\n{'medians':<14}{'attempts/s':>11}{'orders/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'oversold':>9}")
    for name, figures in (("order_create", service), ("bare UPDATE", bare)):
        print(
            f"{name:<14}{figures.median('attempts_per_s'):>11,.0f}{figures.median('orders_per_s'):>10,.0f}"
            f"{figures.median('p50'):>9.2f}{figures.median('p95'):>9.2f}{max(figures.oversold):>9}"
        )
    print(
        f"{'ratio':<14}{service.median('attempts_per_s') / bare.median('attempts_per_s'):>11.3f}"
        f"{service.median('orders_per_s') / bare.median('orders_per_s'):>10.3f}"
        f"{service.median('p50') / bare.median('p50'):>9.1f}{service.median('p95') / bare.median('p95'):>9.1f}"
    )
    errors = service.errors + bare.errors
    unexpected = ", ".join(f"{k} ×{v}" for k, v in errors.items()) or "none"
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"(ratio = order_create ÷ bare UPDATE; unexpected errors: {unexpected}; load average {load})")


def _pg_admin(statement: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL(statement).format(sql.Identifier(database)))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--buyers", type=int, default=2_000)
    parser.add_argument("--stock", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=50, help="each holds a connection; keep ≤ 60 on a shared server")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="a migrated PostgreSQL database to use instead of creating one")
    args = parser.parse_args()
    if not 1 <= args.stock <= args.buyers or args.threads < 1:
        parser.error("need 1 ≤ --stock ≤ --buyers and --threads ≥ 1")
    if args.db == "both":
        for db in ("sqlite", "postgres"):
            argv = [sys.executable, __file__, "--db", db, "--buyers", str(args.buyers), "--stock", str(args.stock)]
            argv += ["--threads", str(args.threads), "--repeat", str(args.repeat)]
            if args.database_url:
                argv += ["--database-url", args.database_url]
            subprocess.run(argv, check=True)  # noqa: S603
        return
    run_one(args.db, args.buyers, args.stock, args.threads, args.repeat, args.database_url)


if __name__ == "__main__":
    main()
