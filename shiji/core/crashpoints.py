"""Named places where the crash harness kills this process (docs/reliability.md).

``SHIJI_CRASH_AT=<point>`` arms one point for the life of the process: the first time the code
reaches it, the process sends itself SIGKILL — no ``finally``, no ``atexit``, no flushed
buffers, exactly what the kernel's OOM killer or a pulled plug does. ``<point>@<n>`` waits for
the n-th time. The variable is read once, at import; unarmed, a crash point costs one string
comparison.

``crashpoint`` kills where it stands. ``crashpoint_after_commit`` kills right after the
transaction it is reached in commits, before anything else (the HTTP response, the jobs queued
after it): the point between "our database has it" and "anybody was told".

``POINTS`` lists every point; ``shiji.reliability.crash`` drives the flows that reach them and
fails when a listed point is never reached.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from django.db import transaction

ENV_VAR = "SHIJI_CRASH_AT"

# Placing an order: the provider opens the payment inside the order's transaction.
CHECKOUT_BEFORE_PROVIDER_CALL = "checkout.before_provider_call"
CHECKOUT_AFTER_PROVIDER_CALL = "checkout.after_provider_call"
CHECKOUT_BEFORE_COMMIT = "checkout.before_commit"
CHECKOUT_AFTER_COMMIT = "checkout.after_commit"
# A provider callback (payment, refund or payout) arriving at the webhook.
CALLBACK_AFTER_VERIFY = "callback.after_verify"
CALLBACK_BEFORE_COMMIT = "callback.before_commit"
CALLBACK_AFTER_COMMIT = "callback.after_commit"
# Completion (buyer confirms, or auto-completion): escrow released to the seller.
RELEASE_BEFORE_COMMIT = "release.before_commit"
RELEASE_AFTER_COMMIT = "release.after_commit"
# The payout job handing a payout to the provider (runs in the worker process).
PAYOUT_BEFORE_PROVIDER_CALL = "payout.before_provider_call"
PAYOUT_AFTER_PROVIDER_CALL = "payout.after_provider_call"
PAYOUT_AFTER_COMMIT = "payout.after_commit"

POINTS: tuple[str, ...] = (
    CHECKOUT_BEFORE_PROVIDER_CALL,
    CHECKOUT_AFTER_PROVIDER_CALL,
    CHECKOUT_BEFORE_COMMIT,
    CHECKOUT_AFTER_COMMIT,
    CALLBACK_AFTER_VERIFY,
    CALLBACK_BEFORE_COMMIT,
    CALLBACK_AFTER_COMMIT,
    RELEASE_BEFORE_COMMIT,
    RELEASE_AFTER_COMMIT,
    PAYOUT_BEFORE_PROVIDER_CALL,
    PAYOUT_AFTER_PROVIDER_CALL,
    PAYOUT_AFTER_COMMIT,
)


def parse_armed(value: str) -> tuple[str, int]:
    """``"name"`` → ``("name", 1)``; ``"name@3"`` → ``("name", 3)``; ``""`` → ``("", 0)``.
    An unknown name or a bad count is refused, so a typo cannot silently test nothing."""
    if not value:
        return "", 0
    name, _sep, nth = value.partition("@")
    if name not in POINTS:
        raise ValueError(f"{ENV_VAR}={value!r}: unknown crash point (one of {', '.join(POINTS)})")
    if not nth:
        return name, 1
    if not nth.isdigit() or int(nth) < 1:
        raise ValueError(f"{ENV_VAR}={value!r}: the count after @ must be a whole number from 1")
    return name, int(nth)


_ARMED, _AT = parse_armed(os.environ.get(ENV_VAR, ""))
_hits = 0
_hits_lock = threading.Lock()


def _due(name: str) -> bool:
    """Count a hit of the armed point; True on the hit it is armed for."""
    global _hits
    with _hits_lock:
        _hits += 1
        return _hits == _AT


def _kill(name: str) -> None:
    sys.stderr.write(f"crash point {name} reached: SIGKILL\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def crashpoint(name: str) -> None:
    """Die here when ``name`` is the armed point (on its n-th hit)."""
    if name == _ARMED and _due(name):
        _kill(name)


def crashpoint_after_commit(name: str, *, using: str | None = None) -> None:
    """Die right after the current transaction commits when ``name`` is armed. Reached outside
    a transaction, it dies at once (there is nothing left to commit)."""
    if name == _ARMED and _due(name):
        transaction.on_commit(lambda: _kill(name), using=using)
