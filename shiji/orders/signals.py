"""What orders tell other domains (trust, reputation), sent inside the transaction that made the
change, so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# The seller shipped: ``order`` (its ``shipped_at`` and ``paid_at`` are set).
order_shipped = Signal()
# The order was cancelled before shipping: ``order`` and ``by`` — "buyer", "seller" or "system".
order_cancelled = Signal()
# The order completed and its escrow was released: ``order``.
order_completed = Signal()
