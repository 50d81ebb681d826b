"""The payment-provider interface. The sandbox implements it; a real provider (Stripe, Alipay,
PayPay…) plugs in behind the same methods and is selected with ``SHIJI_PAYMENT_PROVIDER``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from shiji.payments.models import Payment, Payout, Refund


@dataclass(frozen=True)
class ProviderPayment:
    ref: str
    client_secret: str


@dataclass(frozen=True)
class ProviderRecord:
    """What the provider's own books say about one of our payments, refunds or payouts."""

    ref: str
    status: str  # "pending" (nothing final yet), "succeeded", "failed" or "cancelled"
    amount_minor: int
    currency: str
    reason: str = ""


class PaymentProvider(ABC):
    """Every method is safe to call again with the same object: providers dedupe by our id."""

    name: str

    @abstractmethod
    def create_payment(self, payment: Payment) -> ProviderPayment:
        """Open a payment the buyer then completes with the provider (``client_secret``)."""

    @abstractmethod
    def cancel_payment(self, payment: Payment) -> bool:
        """Stop the buyer from paying; False when the provider already captured it."""

    @abstractmethod
    def refund(self, refund: Refund) -> str:
        """Ask the provider to return ``refund`` to the buyer; the result arrives by callback."""

    @abstractmethod
    def payout(self, payout: Payout) -> str:
        """Send ``payout`` to the seller's bank; the result arrives by callback."""

    @abstractmethod
    def retrieve(self, object_id: str) -> ProviderRecord | None:
        """What the provider did with our payment, refund or payout ``object_id`` (our id is the
        idempotency key every request carries), or None when it never heard of it. The provider
        is the source of truth for money that moved: recovery asks it (``payments.recovery``)."""

    @abstractmethod
    def verify_callback(self, *, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise ``BadSignature`` unless the callback really comes from this provider."""
