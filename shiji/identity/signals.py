"""Signals other domains listen to (identity does not import them)."""

from django.dispatch import Signal

# Sent inside the approving transaction with ``user`` and ``verification_id``.
identity_verified = Signal()
