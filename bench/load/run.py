"""Load figures with Locust: ``shiji serve`` (several worker processes) and ``shiji worker`` on
PostgreSQL + Redis, driven by ``bench/load/locustfile.py``.

    .venv/bin/python bench/load/run.py [--users 50,200] [--duration 60] [--short 30] [--rate 10]
                                       [--think 1,3] [--workers 2] [--port 8071] [--redis-db 8]
                                       [--sellers 20] [--listings 10] [--warmup 15] [--keep-db]

What one run does:

1. creates the PostgreSQL database ``shiji_load_<timestamp>`` on 127.0.0.1:5432 (user postgres)
   and migrates it; Redis db ``--redis-db`` holds the cache, the channel layer and the job
   queue, under a prefix of the run's own;
2. seeds through the services: FX rates, ``--sellers`` verified sellers in Japan with
   ``--listings`` published listings each (stock 9,999 each, more than a run sells), and as
   many buyers in China as the largest user count, each with a bearer token and an address;
3. starts ``shiji serve --workers N`` (production settings, rate limits off, sandbox payments
   whose signed callbacks the worker POSTs to the server's webhook over HTTP) and ``shiji worker``;
4. after an unreported warm-up (``--warmup`` s of journeys: each worker process loads the
   search segmenters on first use), runs Locust headless three times per user count, each run
   starting ``--rate`` users a second and measured from the moment all of them run (the ramp-up
   is not counted): ``Bare`` (``GET /api/v1/health`` without think time, ``--short`` s),
   ``Checkout`` (quote + order without think time, ``--short`` s) and ``Shopper`` (the whole
   journey with ``--think`` seconds between steps, ``--duration`` s); prints a table per run
   (requests, requests/s, p50 / p95 / p99, errors per step), the ratio checkout orders/s ÷ bare
   requests/s, the distinct errors and the issue's targets;
5. waits for the job queue to drain, stops the server and the worker, checks the invariants
   (``ledger_check``, stock: sold + left = seeded and never below 0, no order captured twice,
   no paid order left unpaid) and drops the database (``--keep-db`` keeps it).

The exit status is 1 when an invariant is violated; the latency targets only print a verdict,
as they depend on the machine. Locust's CSV files and the server's and worker's logs are kept
in ``--out`` (default ``$SHIJI_VAR_DIR/load/<timestamp>``). Figures and how to read them:
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
STOCK = 9_999  # the most a listing may hold
CATEGORIES = ["dresses", "tops", "bags", "manga", "tea-ware", "stationery"]
# Title words per language; the search step asks for one of them.
WORDS = {
    "zh-hans": ["古着", "连衣裙", "复古", "手作", "茶具", "漫画", "帆布包", "限定"],
    "ja": ["ワンピース", "ヴィンテージ", "着物", "手作り", "湯呑み", "文房具", "トート", "限定"],
    "en": ["vintage", "dress", "handmade", "teacup", "notebook", "tote", "limited", "retro"],
}
PHASES = ("Bare", "Checkout", "Shopper")


# --- Seeding through the services ------------------------------------------------------------
def _png() -> io.BytesIO:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 10)).save(out, "PNG")
    out.seek(0)
    return out


def _ship_to(n: int) -> dict[str, str]:
    """A distinct address and phone per buyer (a shared one is a risk signal)."""
    return {
        "name": f"买家{n}",
        "line1": f"浦东新区世纪大道{100 + n}号",
        "city": "上海",
        "postal_code": "200120",
        "country": "CN",
        "phone": f"+86 139 {n // 10000:04d} {n % 10000:04d}",
    }


def seed(*, sellers: int, listings: int, buyers: int, path: Path) -> None:
    """Write the seed file the locustfile reads: buyers (token, address), listings (id, seller's
    token) and the search words. Jobs (search indexing, e-mails) run inline while seeding."""
    from django.test import override_settings
    from huey.contrib.djhuey import HUEY

    from shiji.accounts.models import User
    from shiji.accounts.services import token_create, user_raise_verification_level, user_register
    from shiji.catalog import services as catalog
    from shiji.fx.services import fx_rate_set

    rng = random.Random(8)  # nosec B311  # reproducible titles and prices
    HUEY.immediate = True
    password = secrets.token_urlsafe(16)

    def person(handle: str, name: str, country: str, language: str, currency: str) -> User:
        return user_register(
            email=f"{handle}@load.test",
            password=password,
            display_name=name,
            country=country,
            language=language,
            currency=currency,
        )

    try:
        with override_settings(PASSWORD_HASHERS=["shiji.accounts.hashers.TestArgon2PasswordHasher"]):
            for quote, rate in {"JPY": "150", "CNY": "7.2"}.items():
                fx_rate_set(actor=None, base="USD", quote=quote, rate=rate, source="load")
            listing_rows = []
            for s in range(sellers):
                seller = person(f"seller{s}", f"Seller {s}", "JP", "ja", "JPY")
                user_raise_verification_level(user_id=seller.pk, level=1)
                seller.refresh_from_db()
                token = token_create(user=seller)
                for n in range(listings):
                    title = {lang: " ".join(rng.sample(words, 3)) for lang, words in WORDS.items()}
                    listing = catalog.listing_create(
                        seller=seller,
                        data={
                            "category": CATEGORIES[(s + n) % len(CATEGORIES)],
                            "title": title,
                            "description": {"ja": "状態の良い品です。", "en": "In good condition."},
                            "original_language": "ja",
                            "condition": "good",
                            "price": {"amount": str(1000 + 100 * rng.randrange(60)), "currency": "JPY"},
                            "quantity": STOCK,
                            "weight_g": 400 + 50 * rng.randrange(10),
                            "size_cm": [30, 25, 5],
                            "ships_from": "JP",
                            "ships_to": ["*"],
                            "handling_days": 3,
                        },
                    )
                    catalog.photo_add(seller=seller, listing_id=listing.pk, image=_png())
                    catalog.listing_publish(seller=seller, listing_id=listing.pk)
                    listing_rows.append({"id": listing.pk, "seller_token": token})
            buyer_rows = []
            for b in range(buyers):
                buyer = person(f"buyer{b}", f"Buyer {b}", "CN", "zh-hans", "CNY")
                buyer_rows.append({"token": token_create(user=buyer), "ship_to": _ship_to(b)})
    finally:
        HUEY.immediate = False
    words = [word for group in WORDS.values() for word in group]
    path.write_text(json.dumps({"buyers": buyer_rows, "listings": listing_rows, "words": words}), encoding="utf-8")


# --- Processes -------------------------------------------------------------------------------
def _start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the process group it leads (uvicorn's worker processes, Huey's threads)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"shiji serve exited with {server.returncode}; see its log")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"shiji serve did not answer {url}/api/v1/health within {timeout:.0f} s")


def _wait_queue_empty(timeout: float = 120) -> int:
    from huey.contrib.djhuey import HUEY

    deadline = time.monotonic() + timeout
    while (pending := HUEY.pending_count()) and time.monotonic() < deadline:
        time.sleep(1)
    return int(pending)


# --- Locust ----------------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def run_locust(
    phase: str, *, users: int, rate: float, duration: int, host: str, out: Path, env: dict[str, str], label: str = ""
) -> tuple[list[Row], str]:
    """One headless Locust run of the user class ``phase``; its rows and the load average before it."""
    prefix = out / (label or f"u{users}-{phase.lower()}")
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    argv = [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), phase, "--headless"]
    run_for = duration + math.ceil(users / rate)  # statistics start once every user runs
    argv += ["-u", str(users), "-r", str(rate), "-t", f"{run_for}s", "--host", host, "--csv", str(prefix)]
    argv += ["--reset-stats", "--only-summary", "--loglevel", "WARNING"]
    with Path(f"{prefix}.log").open("wb") as log:
        subprocess.run(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    rows = []
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stats:
        for line in csv.DictReader(stats):
            rows.append(
                Row(
                    name=line["Name"],
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    rps=float(line["Requests/s"]),
                    p50=_ms(line["50%"]),
                    p95=_ms(line["95%"]),
                    p99=_ms(line["99%"]),
                )
            )
    return rows, load


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else float("nan")


def print_table(title: str, rows: list[Row], load: str) -> None:
    print(f"\n### {title} (load average at start {load})")
    print(f"| {'step':<26} | {'requests':>8} | {'rps':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | errors |")
    print(f"|{'-' * 28}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|-------:|")
    for row in sorted(rows, key=lambda r: (r.name == "Aggregated", r.name)):
        share = 100 * row.failures / row.requests if row.requests else 0.0
        name = "all requests" if row.name == "Aggregated" else row.name
        print(
            f"| {name:<26} | {row.requests:>8,} | {row.rps:>7.1f} | {row.p50:>7.0f} | {row.p95:>7.0f} | "
            f"{row.p99:>7.0f} | {row.failures} ({share:.2f} %) |"
        )


def print_failures(out: Path, users: int) -> None:
    """The distinct errors of this user count's runs (Locust's failures CSV), most frequent first."""
    seen = []
    for phase in PHASES:
        path = out / f"u{users}-{phase.lower()}_failures.csv"
        if path.exists():
            with path.open(encoding="utf-8") as failures:
                seen += [(int(f["Occurrences"]), phase, f["Name"], f["Error"][:160]) for f in csv.DictReader(failures)]
    for count, phase, name, error in sorted(seen, reverse=True)[:10]:
        print(f"  error ×{count} in {phase} {name}: {error}")


def targets(users: int, rows: list[Row]) -> list[str]:
    """The issue's targets for the Shopper run: error rate < 0.1 %; p95 checkout < 800 ms at 50 users."""
    total, checkout = _row(rows, "Aggregated"), _row(rows, "5 order (checkout)")
    lines = []
    if total and total.requests:
        rate = 100 * total.failures / total.requests
        lines.append(f"target {users} users: error rate {rate:.2f} % (< 0.1 %): {'met' if rate < 0.1 else 'NOT met'}")
    if checkout and users == 50:
        verdict = "met" if checkout.p95 < 800 else "NOT met"
        lines.append(f"target {users} users: p95 checkout {checkout.p95:.0f} ms (< 800 ms): {verdict}")
    return lines


def _row(rows: list[Row], name: str) -> Row | None:
    return next((row for row in rows if row.name == name), None)


# --- Invariants ------------------------------------------------------------------------------
def check_invariants() -> list[str]:
    """What must hold after the run; each problem is one line."""
    from django.db.models import Count, Q, Sum

    from shiji.catalog.models import Listing
    from shiji.ledger.check import ledger_check
    from shiji.ledger.models import JournalEntry
    from shiji.orders.models import Order
    from shiji.orders.states import OrderStatus
    from shiji.payments.models import Payment, PaymentStatus, SandboxOperation

    problems = []
    report = ledger_check()
    if not (report.balanced and report.escrow_matches_orders and report.payouts_match):
        problems += [f"ledger: {problem}" for problem in report.problems] or ["ledger: check failed"]
    # Stock: what is held by orders (not cancelled, not refunded before shipping) plus what is left.
    holding = ~Q(status=OrderStatus.CANCELLED) & ~Q(status=OrderStatus.REFUNDED, shipped_at__isnull=True)
    held = dict(Order.objects.filter(holding).values_list("listing_id").annotate(n=Sum("quantity")))
    for listing_id, left in Listing.objects.values_list("id", "quantity"):
        if left < 0 or left + held.get(listing_id, 0) != STOCK:
            problems.append(
                f"stock: listing {listing_id} has {left} left and {held.get(listing_id, 0)} sold of {STOCK}"
            )
    twice = Payment.objects.filter(status=PaymentStatus.SUCCEEDED).values("order_id").annotate(n=Count("id"))
    problems += [
        f"paid twice: order {row['order_id']} has {row['n']} captured payments" for row in twice.filter(n__gt=1)
    ]
    captures = JournalEntry.objects.filter(kind="payment.capture").values("order_id").annotate(n=Count("id"))
    problems += [
        f"paid twice: order {row['order_id']} has {row['n']} capture entries" for row in captures.filter(n__gt=1)
    ]
    # The sandbox's own books: every payment it captured reached the platform (the queue drained).
    captured = SandboxOperation.objects.filter(kind="payment", status="succeeded").values_list("target_id", flat=True)
    unbooked = Payment.objects.filter(pk__in=captured).exclude(status=PaymentStatus.SUCCEEDED)
    problems += [
        f"callback lost: payment {pk} was captured but is not booked" for pk in unbooked.values_list("pk", flat=True)
    ]
    unpaid = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, payments__status=PaymentStatus.SUCCEEDED)
    problems += [
        f"order {pk} has a captured payment but waits for payment" for pk in unpaid.values_list("pk", flat=True)
    ]
    return problems


def summary_counts() -> dict[str, int]:
    from django.db.models import Count

    from shiji.orders.models import Order

    return dict(Order.objects.values_list("status").annotate(n=Count("id")))


# --- Driver ----------------------------------------------------------------------------------
def _pg_admin(statement: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL(statement).format(sql.Identifier(database)))


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603, S607

    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return (git("rev-parse", "--short", "HEAD") or "unknown") + dirty


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", default="50,200", help="user counts, one Locust run each (default 50,200)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of the Shopper run per user count")
    parser.add_argument("--short", type=int, default=30, help="seconds of the Bare and Checkout runs")
    parser.add_argument("--rate", type=float, default=10, help="users started per second")
    parser.add_argument("--warmup", type=int, default=15, help="seconds of an unreported warm-up run (0: none)")
    parser.add_argument("--think", default="1,3", help="MIN,MAX seconds a shopper waits between steps")
    parser.add_argument("--workers", type=int, default=2, help="shiji serve worker processes")
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=16,
        help="shiji worker threads: they deliver the sandbox's callbacks, which a real provider sends concurrently",
    )
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument("--sellers", type=int, default=20)
    parser.add_argument("--listings", type=int, default=10, help="listings per seller")
    parser.add_argument("--out", type=Path, help="where the CSV files and logs go")
    parser.add_argument("--keep-db", action="store_true", help="keep the database (and print its URL)")
    args = parser.parse_args()
    user_counts = [int(n) for n in args.users.split(",")]

    stamp = time.strftime("%Y%m%d%H%M%S")
    db_name = f"shiji_load_{stamp}"
    out = args.out or Path(os.environ.get("SHIJI_VAR_DIR", ROOT / "var")).resolve() / "load" / stamp
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="shiji-load-"))
    host = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHIJI_DEBUG": "0",
        "DATABASE_URL": f"{PG_SERVER}/{db_name}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "SHIJI_CACHE_PREFIX": f"load{stamp}",
        "SHIJI_QUEUE_NAME": f"load{stamp}",
        "SHIJI_VAR_DIR": str(workdir),
        "SHIJI_SECRET_KEY": secrets.token_urlsafe(50),
        "SHIJI_SANDBOX": "1",
        "SHIJI_SANDBOX_PAYMENT_SECRET": secrets.token_urlsafe(32),
        "SHIJI_SANDBOX_CARRIER_SECRET": secrets.token_urlsafe(32),
        "SHIJI_SANDBOX_CALLBACK_URL": host,
        "SHIJI_RATE_LIMITS": "off",
        "SHIJI_EMAIL_BACKEND": "memory",
        "SHIJI_LOG_LEVEL": "WARNING",
        "SHIJI_WORKER_THREADS": str(args.worker_threads),
        "SHIJI_LOAD_SEED": str(out / "seed.json"),
        "SHIJI_LOAD_THINK": args.think,
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    _pg_admin("CREATE DATABASE {}", db_name)
    server = worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)  # here, so serve starts at once
        seed(sellers=args.sellers, listings=args.listings, buyers=max(user_counts), path=out / "seed.json")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        connection.close()
        print(
            f"# Load: shiji serve --workers {args.workers} + shiji worker ({args.worker_threads} threads), {version}, "
            f"Redis db {args.redis_db}"
        )
        print(
            f"commit {_commit()}, {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, Python "
            f"{sys.version.split()[0]}; database {db_name}; think time {args.think} s; output {out}"
        )
        print(
            f"migrated, collected static files and seeded {args.sellers} sellers × {args.listings} listings "
            f"and {max(user_counts)} buyers "
            f"in {time.perf_counter() - started:.0f} s"
        )
        worker = _start([str(BIN / "shiji"), "worker"], out / "worker.log")
        server = _start(
            [
                str(BIN / "shiji"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.port),
                "--workers",
                str(args.workers),
                "--no-collectstatic",
            ],
            out / "server.log",
        )
        _wait_healthy(host, server)
        if args.warmup:
            # Each worker process loads the search segmenters (jieba, Sudachi) and opens its
            # connections on first use: one short journey run without think time, not reported.
            run_locust(
                "Shopper",
                users=10,
                rate=10,
                duration=args.warmup,
                host=host,
                out=out,
                env={**env, "SHIJI_LOAD_THINK": "0,0"},
                label="warmup",
            )
        verdicts = []
        for users in user_counts:
            results = {}
            for phase in PHASES:
                duration = args.duration if phase == "Shopper" else args.short
                results[phase] = run_locust(
                    phase, users=users, rate=args.rate, duration=duration, host=host, out=out, env=env
                )
            bare, checkout = (
                _row(results["Bare"][0], "bare /health"),
                _row(results["Checkout"][0], "5 order (checkout)"),
            )
            print_table(f"{users} users, Shopper, {args.duration} s", *results["Shopper"])
            print_table(f"{users} users, Checkout (quote + order, no think time), {args.short} s", *results["Checkout"])
            print_table(f"{users} users, Bare (no think time), {args.short} s", *results["Bare"])
            if bare and checkout and bare.rps:
                print(
                    f"\nratio checkout ÷ bare at {users} users: {checkout.rps:.1f} orders/s ÷ {bare.rps:.1f} "
                    f"requests/s = **{checkout.rps / bare.rps:.3f}**"
                )
            print_failures(out, users)
            verdicts += targets(users, results["Shopper"][0])
        left = _wait_queue_empty()
        print(f"\njob queue {'drained' if not left else f'still holds {left} jobs'}; order states: {summary_counts()}")
        _stop(server)
        _stop(worker)
        server = worker = None
        problems = check_invariants()
        connection.close()
        print(f"invariants: {'all hold' if not problems else f'{len(problems)} VIOLATED'}")
        for problem in problems[:50]:
            print(f"  !! {problem}")
        for verdict in verdicts:
            print(verdict)
        if problems:
            raise SystemExit(1)  # the database is still dropped (finally), the figures printed
        print(f"load average at the end {' / '.join(f'{value:.2f}' for value in os.getloadavg())}")
    finally:
        for process in (server, worker):
            if process is not None:
                _stop(process)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        _redis_forget(env["REDIS_URL"], f"load{stamp}")
        if args.keep_db:
            print(f"kept {env['DATABASE_URL']}")
        else:
            _pg_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", db_name)
        shutil.rmtree(workdir, ignore_errors=True)


def _redis_forget(url: str, prefix: str) -> None:
    """Delete this run's keys (cache, channel layer, queue) from its Redis database."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)


if __name__ == "__main__":
    main()
