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
    def verify_callback(self, *, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise ``BadSignature`` unless the callback really comes from this provider."""
