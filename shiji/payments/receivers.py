"""Held money becomes available when a seller's identity is verified."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from shiji.identity.signals import identity_verified


@receiver(identity_verified)
def release_held_funds(sender: Any, user: Any, verification_id: str, **kwargs: Any) -> None:
    from shiji.payments.payouts import held_funds_release

    held_funds_release(user=user, reason_key=verification_id)
