"""Quotes and placing orders (PRODUCT.md §5).

A quote prices one listing for one buyer in the buyer's currency at a locked FX rate (the mid
rate plus the configured margin) with the buyer-protection fee, and is valid for
``SHIJI_QUOTE_TTL_SECONDS``. An order is placed from an unexpired, unused quote: the stock is
reserved with one conditional UPDATE (never below zero, whatever the concurrency), and a payment
is opened with the provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.gates import require_not_suspended
from shiji.accounts.models import User
from shiji.catalog.models import Listing
from shiji.catalog.selectors import listing_get_visible, listing_prohibition, listing_ships_to
from shiji.catalog.states import ListingStatus
from shiji.core import crashpoints
from shiji.core.crashpoints import crashpoint, crashpoint_after_commit
from shiji.core.errors import InvalidInput, NotFound
from shiji.core.money import Money, check_supported_currency
from shiji.customs.selectors import customs_assess, customs_parcel
from shiji.customs.services import cbec_record
from shiji.fx.selectors import fx_convert_at, fx_customer_rate, fx_rate
from shiji.orders.addresses import clean_ship_to
from shiji.orders.errors import NoRoute, OutOfStock, OwnListing, ProhibitedForDestination, QuoteExpired, QuoteUsed
from shiji.orders.models import Order, OrderEvent, Quote
from shiji.orders.notifications import order_notify
from shiji.orders.states import OrderStatus
from shiji.payments.fees import buyer_fee
from shiji.payments.models import Payment
from shiji.payments.providers.registry import provider_default
from shiji.risk.engine import RiskPoint, risk_evaluate
from shiji.risk.services import payments_block_check
from shiji.shipping.rates import ShippingOption, shipping_options

MAX_QUANTITY = 99
RATE_QUANTUM = Decimal("1e-12")
PAYMENT_WINDOW = timedelta(minutes=30)


def _quantity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(_("Choose a quantity from 1 to 99."), fields={"quantity": [_("1 to 99.")]})
    return value


def _stored_rate(rate: Decimal) -> Decimal:
    return rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN).normalize()


def _option_out(option: ShippingOption, shipping: Money, language: str) -> dict[str, Any]:
    return {
        "carrier_service": option.service,
        "name": option.name_for(language),
        "shipping": shipping.as_dict(),
        "transit_days": {"min": option.transit_days_min, "max": option.transit_days_max},
        "ddp": option.ddp,
        "tracked": option.tracked,
        "chargeable_weight_g": option.chargeable_weight_g,
    }


def _to_buyer_currency(price: Money, currency: str) -> Money:
    """Postage is converted at the mid rate (no margin: the buyer pays what the carrier costs)."""
    if price.currency == currency:
        return price
    return fx_convert_at(price, _stored_rate(fx_rate(base=price.currency, quote=currency).rate), currency)


def quote_create(
    *,
    buyer: User,
    listing_id: str,
    quantity: Any,
    ship_to: Mapping[str, Any],
    currency: str | None = None,
    carrier_service: str | None = None,
) -> Quote:
    """Price ``quantity`` of a listing delivered to ``ship_to``, in the buyer's currency: the item
    at the locked customer rate, postage of every carrier service that takes the parcel, duties
    and taxes of the destination's rules (prepaid or on delivery), and the buyer-protection fee."""
    count = _quantity(quantity)
    address = clean_ship_to(ship_to)
    buyer_currency = check_supported_currency(currency or buyer.currency)
    listing = listing_get_visible(viewer=buyer, listing_id=listing_id)
    if listing.seller_id == buyer.pk:
        raise OwnListing()
    if listing.status != ListingStatus.ACTIVE:
        raise OutOfStock()
    if count > listing.quantity:
        raise OutOfStock()
    country = address["country"]
    if not listing_ships_to(listing, country):
        raise NoRoute(
            _("The seller does not ship this item to %(country)s.") % {"country": country},
            fields={"ship_to.country": [_("Not served by this seller.")]},
        )
    rule = listing_prohibition(listing=listing, country=country)
    if rule is not None:
        reason = {"zh-hans": rule.reason_zh_hans, "ja": rule.reason_ja}.get(buyer.language, rule.reason_en)
        raise ProhibitedForDestination(
            _("This item cannot be sent to %(country)s: %(reason)s") % {"country": country, "reason": reason}
        )
    dims = (listing.length_cm, listing.width_cm, listing.height_cm)
    options = shipping_options(listing.ships_from, country, listing.weight_g, dims, count)
    if not options:
        raise NoRoute(
            _("No carrier service takes this parcel from %(origin)s to %(country)s.")
            % {"origin": listing.ships_from, "country": country},
            fields={"ship_to.country": [_("No carrier serves this route for this parcel.")]},
        )
    chosen = options[0]
    if carrier_service:
        chosen = next((option for option in options if option.service == carrier_service), None)  # type: ignore[assignment]
        if chosen is None:
            raise InvalidInput(
                _("That carrier service does not take this parcel on this route."),
                fields={
                    "carrier_service": [_("Choose one of: %(list)s") % {"list": ", ".join(o.service for o in options)}]
                },
            )
    item_seller = Money(listing.price_minor, listing.currency) * count
    rate = fx_customer_rate(listing.currency, buyer_currency)
    # The quote stores the rates it used; round them so what is stored is exactly what was used.
    customer_rate, mid_rate = _stored_rate(rate.rate), _stored_rate(rate.mid.rate)
    item = fx_convert_at(item_seller, customer_rate, buyer_currency)
    item_mid = fx_convert_at(item_seller, mid_rate, buyer_currency)
    postage = {option.service: _to_buyer_currency(option.price, buyer_currency) for option in options}
    shipping = postage[chosen.service]
    assessment = customs_assess(
        parcel=customs_parcel(
            listing=listing,
            quantity=count,
            item_value=item,
            shipping=shipping,
            destination=country,
            buyer=buyer,
            carrier_ddp=chosen.ddp,
        )
    )
    fee = buyer_fee(item, category_id=listing.category_id)
    prepaid = assessment.duties_mode == "prepaid"
    total = item + shipping + fee + (assessment.total if prepaid else Money.zero(buyer_currency))
    now = timezone.now()
    return Quote.objects.create(
        buyer=buyer,
        listing=listing,
        quantity=count,
        ship_to=address,
        currency=buyer_currency,
        seller_currency=listing.currency,
        fx_rate=format(customer_rate, "f"),
        fx_mid_rate=format(mid_rate, "f"),
        fx_source=rate.mid.source[:64],
        fx_as_of=rate.mid.as_of,
        item_seller_minor=item_seller.minor,
        item_minor=item.minor,
        item_mid_minor=item_mid.minor,
        shipping_minor=shipping.minor,
        duties_minor=assessment.duties.minor,
        taxes_minor=assessment.taxes.minor,
        buyer_fee_minor=fee.minor,
        total_minor=total.minor,
        duties_mode=str(assessment.duties_mode),
        regime=assessment.regime,
        carrier_service=chosen.service,
        chargeable_weight_g=chosen.chargeable_weight_g,
        options=[_option_out(option, postage[option.service], buyer.language) for option in options],
        rule_ids=list(assessment.rule_ids),
        customs=assessment.as_dict(),
        cbec_amount_minor=assessment.cbec_amount.minor if assessment.cbec_amount else None,
        expires_at=now + timedelta(seconds=settings.SHIJI_QUOTE_TTL_SECONDS),
    )


def _reserve_stock(listing_id: str, quantity: int) -> None:
    reserved = Listing.objects.filter(pk=listing_id, status=ListingStatus.ACTIVE, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if reserved != 1:
        raise OutOfStock()
    Listing.objects.filter(pk=listing_id, status=ListingStatus.ACTIVE, quantity=0).update(
        status=ListingStatus.SOLD_OUT, updated_at=timezone.now()
    )


def stock_restore(listing_id: str, quantity: int) -> None:
    Listing.objects.filter(pk=listing_id).update(quantity=F("quantity") + quantity)
    Listing.objects.filter(pk=listing_id, status=ListingStatus.SOLD_OUT, quantity__gt=0).update(
        status=ListingStatus.ACTIVE, updated_at=timezone.now()
    )


def order_create(*, buyer: User, quote_id: str, ip: str | None = None) -> Order:
    """Place an order from a quote: reserve stock, open the payment. Nothing is written on error.
    ``ip`` is the client's address, for the risk rules (payment blocks, failures per network)."""
    require_not_suspended(buyer)
    payments_block_check(user=buyer, ip=ip)
    provider = provider_default()
    now = timezone.now()
    wanted = Quote.objects.filter(pk=quote_id, buyer=buyer).values_list("listing_id", "quantity").first()
    if (
        wanted is not None
        and not Order.objects.filter(quote_id=quote_id).exists()
        and not Listing.objects.filter(pk=wanted[0], status=ListingStatus.ACTIVE, quantity__gte=wanted[1]).exists()
    ):
        raise OutOfStock()  # sold out already: refuse without queueing for the write lock
    with transaction.atomic():
        quote = Quote.objects.select_related("listing").filter(pk=quote_id, buyer=buyer).first()
        if quote is None:
            raise NotFound(_("No such quote."))
        if quote.expires_at <= now:
            raise QuoteExpired()
        if Order.objects.filter(quote=quote).exists():
            raise QuoteUsed()
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    quote=quote,
                    buyer=buyer,
                    seller_id=quote.listing.seller_id,
                    listing_id=quote.listing_id,
                    quantity=quote.quantity,
                    ship_to=quote.ship_to,
                    ship_to_country=quote.ship_to["country"],
                    currency=quote.currency,
                    seller_currency=quote.seller_currency,
                    fx_rate=quote.fx_rate,
                    fx_mid_rate=quote.fx_mid_rate,
                    item_seller_minor=quote.item_seller_minor,
                    item_minor=quote.item_minor,
                    item_mid_minor=quote.item_mid_minor,
                    shipping_minor=quote.shipping_minor,
                    duties_minor=quote.duties_minor,
                    taxes_minor=quote.taxes_minor,
                    buyer_fee_minor=quote.buyer_fee_minor,
                    total_minor=quote.total_minor,
                    duties_mode=quote.duties_mode,
                    carrier_service=quote.carrier_service,
                    chargeable_weight_g=quote.chargeable_weight_g,
                    customs=quote.customs,
                    created_at=now,
                    expires_at=now + PAYMENT_WINDOW,
                )
        except IntegrityError as exc:  # the same quote ordered concurrently
            raise QuoteUsed() from exc
        if quote.cbec_amount_minor is not None:
            # Counts toward the buyer's yearly CN allowance, checked again under a lock.
            cbec_record(buyer=buyer, order_id=order.pk, amount=Money(quote.cbec_amount_minor, "CNY"), at=now)
        OrderEvent.objects.create(subject=order, actor=buyer, from_state="", to_state=OrderStatus.PENDING_PAYMENT)
        # A "review" verdict lets the order go on; staff look at it in the risk queue.
        risk_evaluate(
            RiskPoint.ORDER_CREATE,
            user=buyer,
            inputs={"total": Money(order.total_minor, order.currency).as_dict(), "ship_to": order.ship_to},
            subject=order,
            ip=ip,
        )
        order_notify(order, OrderStatus.PENDING_PAYMENT)
        # The stock is reserved as late as possible: the listing's row lock (every buyer of this
        # listing queues on it) is held only for the payment opening and the commit.
        _reserve_stock(quote.listing_id, quote.quantity)
        payment = Payment.objects.create(
            order=order, provider=provider.name, amount_minor=order.total_minor, currency=order.currency
        )
        crashpoint(crashpoints.CHECKOUT_BEFORE_PROVIDER_CALL)
        opened = provider.create_payment(payment)
        crashpoint(crashpoints.CHECKOUT_AFTER_PROVIDER_CALL)
        Payment.objects.filter(pk=payment.pk).update(provider_ref=opened.ref, client_secret=opened.client_secret)
        crashpoint(crashpoints.CHECKOUT_BEFORE_COMMIT)
        crashpoint_after_commit(crashpoints.CHECKOUT_AFTER_COMMIT)
    return order
