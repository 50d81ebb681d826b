"""Crash safety under SIGKILL (issue 8): a real ``shiji serve`` and job worker on PostgreSQL are
killed at each registered crash point, restarted, replayed and recovered; then the invariants
of ``shiji.reliability.crash.check_run`` must hold (docs/reliability.md).

How many runs. By default (CI): the eight points of ``CI_POINTS`` with seeds 0-4 and the other
registered points with seed 0, so that every point is reached. ``SHIJI_CRASH_POINTS`` (``all`` or
a comma-separated list of names) and ``SHIJI_CRASH_SEEDS`` (a count, or a comma-separated list
of seeds) choose otherwise; ``SHIJI_CRASH_RECOVERY=cli`` runs recovery as ``shiji recover``
processes. ``make crash``: every point, 10 seeds, recovery through the command.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from shiji.accounts.models import User
from shiji.accounts.services import token_create
from shiji.accounts.tests.factories import chinese_buyer
from shiji.catalog.tests.factories import demo_rates
from shiji.core import crashpoints
from shiji.core.crashpoints import POINTS
from shiji.orders.tests.factories import listing_jp, seller_jp
from shiji.payments.tests.factories import payout_account
from shiji.reliability.crash import Buyer, RunResult, World, run_once
from shiji.reliability.processes import Cluster, queue_for, subprocess_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RESULTS: list[RunResult] = []


# Five seeds each in CI; the other points (a rollback like one of these) one seed each.
CI_POINTS = (
    crashpoints.CHECKOUT_AFTER_PROVIDER_CALL,
    crashpoints.CHECKOUT_AFTER_COMMIT,
    crashpoints.CALLBACK_BEFORE_COMMIT,
    crashpoints.CALLBACK_AFTER_COMMIT,
    crashpoints.RELEASE_BEFORE_COMMIT,
    crashpoints.RELEASE_AFTER_COMMIT,
    crashpoints.PAYOUT_BEFORE_PROVIDER_CALL,
    crashpoints.PAYOUT_AFTER_PROVIDER_CALL,
)
CI_SEEDS = 5
RECOVER_VIA = os.environ.get("SHIJI_CRASH_RECOVERY", "job")


def _seeds(raw: str) -> list[int]:
    if "," in raw:
        return [int(part) for part in raw.split(",") if part.strip()]
    return list(range(int(raw)))


def _runs() -> list[tuple[str, list[int]]]:
    """(point, seeds) of this session, from the environment (module docstring)."""
    points_env = os.environ.get("SHIJI_CRASH_POINTS", "").strip()
    seeds_env = os.environ.get("SHIJI_CRASH_SEEDS", "").strip()
    if not points_env and not seeds_env:
        return [(point, list(range(CI_SEEDS if point in CI_POINTS else 1))) for point in POINTS]
    points = list(POINTS) if points_env in ("", "all") else [p.strip() for p in points_env.split(",") if p.strip()]
    unknown = sorted(set(points) - set(POINTS))
    if unknown:
        raise pytest.UsageError(f"SHIJI_CRASH_POINTS: unknown points {unknown}")
    seeds = _seeds(seeds_env or str(CI_SEEDS))
    return [(point, seeds) for point in points]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url() -> str:
    """The test database, for the processes."""
    db = connection.settings_dict
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    user = quote(str(db["USER"]), safe="")
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def cluster(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One server and one worker for the module, on the test database (the server sees what
    the test commits: the tests are transactional)."""
    root = tmp_path_factory.mktemp("crash")
    (root / "logs").mkdir()
    port = _free_port()
    cache = settings.CACHES["default"]
    env = subprocess_env(
        database_url=_database_url(),
        # This process's own Redis database (per xdist worker): the other workers' tests empty
        # theirs between tests, which would drop the queue's jobs under a run.
        redis_url=cache["LOCATION"] if "redis" in cache["BACKEND"].lower() else None,
        var_dir=root / "var",
        port=port,
        tag=f"{os.getpid()}",
        secrets={
            "SHIJI_SECRET_KEY": settings.SECRET_KEY,
            "SHIJI_SANDBOX_PAYMENT_SECRET": settings.SHIJI_SANDBOX_PAYMENT_SECRET,
            "SHIJI_SANDBOX_CARRIER_SECRET": settings.SHIJI_SANDBOX_CARRIER_SECRET,
        },
    )
    queue = queue_for(env)
    queue.flush()
    the_cluster = Cluster(env=env, port=port, logs=root / "logs")
    try:
        the_cluster.start("server")
        the_cluster.start("worker")
        yield the_cluster
    finally:
        the_cluster.stop_all()
        queue.flush()
        _print_summary(the_cluster, root / "logs")


def _print_summary(cluster: Cluster, logs: Path) -> None:
    if not RESULTS:
        return
    starts = sorted(cluster.start_times)
    seconds = sorted(result.seconds for result in RESULTS)
    print(  # noqa: T201  (the figures docs/reliability.md quotes)
        f"\ncrash runs: {len(RESULTS)}, median {seconds[len(seconds) // 2]:.1f} s, max {seconds[-1]:.1f} s; "
        f"process starts: {len(starts)}, median {starts[len(starts) // 2]:.2f} s; "
        f"client retries: {sum(r.retries for r in RESULTS)}; "
        f"orphan provider intents: {sum(r.orphan_intents for r in RESULTS)}; logs in {logs}"
    )
    for result in RESULTS:
        repaired = {name: count for name, count in result.recovery.items() if count}
        phases = " ".join(f"{name} {seconds:.1f}" for name, seconds in result.phases.items())
        print(  # noqa: T201
            f"  {result.crash_at:<34} seed {result.seed}: {result.seconds:.1f} s ({phases}), recovery {repaired}"
        )


_addresses = itertools.count()


def _address() -> str:
    """A loopback address of its own for each buyer (127.0.0.0/8 is all loopback on Linux)."""
    n = next(_addresses)
    return f"127.10.{n // 250 % 250}.{n % 250 + 1}"


def _world() -> World:
    demo_rates()
    seller = seller_jp()
    payout_account(seller)
    listings = [listing_jp(seller, quantity=6) for _ in range(2)]
    buyers = [cast(User, chinese_buyer()) for _ in range(3)]
    return World(
        seller_id=seller.pk,
        seller_token=token_create(user=seller),
        buyers=[Buyer(id=buyer.pk, token=token_create(user=buyer), ip=_address()) for buyer in buyers],
        listings={listing.pk: listing.quantity for listing in listings},
    )


RUNS = _runs()


@pytest.mark.parametrize(("point", "seeds"), RUNS, ids=[point for point, _seeds in RUNS])
def test_books_and_stock_survive_a_crash(cluster: Cluster, point: str, seeds: list[int]) -> None:
    for seed in seeds:
        result = run_once(cluster, point, seed, _world(), recover_via=RECOVER_VIA)
        RESULTS.append(result)
        assert result.problems == [], (
            f"{result.crash_at} seed {seed} (rerun: SHIJI_CRASH_POINTS={point} SHIJI_CRASH_SEEDS={seed},): "
            + "\n".join(result.problems)
        )
