"""Locust scenarios for ``bench/load/run.py`` (which seeds the data and starts the server).

- ``Shopper``: one buyer's whole journey through the API, with think time between steps:
  browse the market, search, view a listing, get a quote, place the order (checkout), pay at
  the sandbox's checkout, wait until the sandbox provider's signed callback has marked the order
  paid, the seller ships, the buyer confirms receipt.
- ``Checkout``: quote + order in a loop without think time: the checkout's throughput.
- ``Bare``: ``GET /api/v1/health`` in a loop without think time: the cheapest Django JSON view,
  the reference for the ratio.

Environment: ``SHIJI_LOAD_SEED`` (the JSON file run.py wrote: buyers with their tokens and
addresses, listings with their seller's token, search words) and ``SHIJI_LOAD_THINK``
("MIN,MAX" seconds between a shopper's steps; default "1,3").
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, constant, events, task

API = "/api/v1"
PAID_TIMEOUT_S = 30.0
POLL_S = 0.5  # a shopper's page re-asking for the order's status

SEED: dict[str, Any] = json.loads(Path(os.environ["SHIJI_LOAD_SEED"]).read_text(encoding="utf-8"))
SELLER_TOKEN: dict[str, str] = {item["id"]: item["seller_token"] for item in SEED["listings"]}
THINK_MIN, THINK_MAX = (float(part) for part in os.environ.get("SHIJI_LOAD_THINK", "1,3").split(","))
_next_buyer = itertools.count()


class _Buyer(FastHttpUser):
    """A simulated user holds one seeded buyer (its own token and address)."""

    abstract = True

    def on_start(self) -> None:
        buyers = SEED["buyers"]
        self.buyer = buyers[next(_next_buyer) % len(buyers)]
        self.auth = {"Authorization": f"Bearer {self.buyer['token']}"}

    def _json(self, method: str, path: str, name: str, *, token: str | None = None, **kwargs: Any) -> Any:
        """One request; None when it failed (Locust counts the failure)."""
        headers = {
            **(self.auth if token is None else {"Authorization": f"Bearer {token}"}),
            **kwargs.pop("headers", {}),
        }
        with self.client.request(method, API + path, name=name, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code is None or not 200 <= r.status_code < 300:
                r.failure(f"{r.status_code}: {(r.text or '')[:200]}")
                return None
            try:
                return r.json()
            except ValueError:
                r.failure("not JSON")
                return None

    def _checkout(self, listing_id: str) -> dict[str, Any] | None:
        quote = self._json(
            "POST",
            "/quotes",
            "4 quote",
            json={"listing": listing_id, "quantity": 1, "ship_to": self.buyer["ship_to"]},
        )
        if quote is None:
            return None
        order: dict[str, Any] | None = self._json(
            "POST",
            "/orders",
            "5 order (checkout)",
            json={"quote": quote["id"]},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        return order


def _pick(items: list[dict[str, Any]] | None) -> str | None:
    known = [item["id"] for item in items or [] if item.get("id") in SELLER_TOKEN]
    return random.choice(known) if known else None


class Shopper(_Buyer):
    wait_time = between(THINK_MIN, THINK_MAX)

    @task
    def journey(self) -> None:
        market = self._json("GET", "/market?limit=20", "1 market")
        if market is None:
            return
        self.wait()
        word = random.choice(SEED["words"])
        found = self._json("GET", "/search", "2 search", params={"q": word, "limit": 20})
        if found is None:
            return
        listing_id = _pick(found.get("items")) or _pick(market.get("items")) or random.choice(list(SELLER_TOKEN))
        self.wait()
        if self._json("GET", f"/listings/{listing_id}?currency=CNY", "3 listing") is None:
            return
        self.wait()
        order = self._checkout(listing_id)
        if order is None or not order.get("payment"):
            return
        self.wait()
        started = time.perf_counter()
        paid = self._json(
            "POST",
            f"/payments/sandbox/{order['payment']['id']}/complete",
            "6 pay (sandbox)",
            json={"outcome": "succeeded"},
        )
        if paid is None or not self._wait_paid(order["id"], started):
            return
        self.wait()
        if (
            self._json(
                "POST", f"/orders/{order['id']}/ship", "8 ship (seller)", token=SELLER_TOKEN[listing_id], json={}
            )
            is None
        ):
            return
        self.wait()
        self._json("POST", f"/orders/{order['id']}/confirm", "9 confirm")

    def _wait_paid(self, order_id: str, started: float) -> bool:
        """Poll the order until the provider's signed callback has marked it paid; the time from
        the buyer paying to seeing it paid is reported as step 7."""
        status = None
        while time.perf_counter() - started < PAID_TIMEOUT_S:
            order = self._json("GET", f"/orders/{order_id}", "7a order (poll)")
            status = order.get("status") if order else None
            if status == "paid":
                break
            gevent.sleep(POLL_S)
        elapsed_ms = (time.perf_counter() - started) * 1000
        failed = None if status == "paid" else RuntimeError(f"order still {status} after {PAID_TIMEOUT_S:.0f} s")
        events.request.fire(
            request_type="FLOW",
            name="7 paid (signed callback)",
            response_time=elapsed_ms,
            response_length=0,
            exception=failed,
            context={},
        )
        return failed is None


class Checkout(_Buyer):
    wait_time = constant(0)

    @task
    def checkout(self) -> None:
        self._checkout(random.choice(list(SELLER_TOKEN)))


class Bare(FastHttpUser):
    wait_time = constant(0)

    @task
    def health(self) -> None:
        self.client.get(f"{API}/health", name="bare /health")
