"""The condition kinds a risk rule can have. Each takes the rule (its window, threshold and
params) and what the engine was given, and returns the facts that made it fire — or None.

Counting conditions count ``RiskSignal`` rows over indexed columns (kind, value or user, time).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shiji.core.errors import ShijiError
from shiji.core.money import Money
from shiji.risk.engine import RiskPoint
from shiji.risk.models import Condition, RiskRule, RiskSignal, SignalKind

logger = logging.getLogger(__name__)

# Defaults when a rule's params leave them out (docs/domains/risk.md).
DEFAULT_NEW_ACCOUNT_DAYS = 7
DEFAULT_LARGE_ORDER_USD_CENTS = 50_000
DEFAULT_BLOCK_SECONDS = 3600
PHONE_DIGITS = 9  # phones compare on their last 9 digits: "+81 90-…" and "090-…" are one phone


@dataclass(frozen=True)
class Context:
    point: RiskPoint
    user: Any
    inputs: Mapping[str, Any]
    ip: str | None
    now: datetime
    subject_id: str


Facts = dict[str, Any]
Check = Callable[[RiskRule, Context], Facts | None]


def _since(rule: RiskRule, now: datetime) -> datetime | None:
    return now - timedelta(seconds=rule.window_seconds) if rule.window_seconds else None


def _signals(kind: str, rule: RiskRule, ctx: Context) -> Any:
    rows = RiskSignal.objects.filter(kind=kind)
    since = _since(rule, ctx.now)
    return rows.filter(created_at__gt=since) if since is not None else rows


# --- normalising ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def address_digest(ship_to: Mapping[str, Any]) -> str:
    """The same address however it is typed: NFKC, case-folded, without spaces or punctuation."""
    parts = [str(ship_to.get(name) or "") for name in ("country", "postal_code", "region", "city", "line1", "line2")]
    folded = "|".join("".join(ch for ch in _fold(part) if ch.isalnum()) for part in parts)
    return hashlib.sha256(folded.encode()).hexdigest()[:40]


def phone_digest(phone: object) -> str:
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", str(phone or "")) if ch.isdigit())
    if len(digits) < PHONE_DIGITS:
        return ""
    return hashlib.sha256(digits[-PHONE_DIGITS:].encode()).hexdigest()[:40]


# --- the conditions ---------------------------------------------------------------------------


def failed_payments(rule: RiskRule, ctx: Context) -> Facts | None:
    """More than ``threshold`` failed payments from the buyer's account, or from the IP address
    the orders were placed from, within the window (this failure included)."""
    if ctx.inputs.get("outcome") != "failed":
        return None
    rows = _signals(SignalKind.PAYMENT_FAILED, rule, ctx)
    by_account = rows.filter(user=ctx.user).count() if getattr(ctx.user, "pk", None) else 0
    by_ip = rows.filter(value=ctx.ip).count() if ctx.ip else 0
    if by_account <= rule.threshold and by_ip <= rule.threshold:
        return None
    return {
        "failed_by_account": by_account,
        "failed_by_ip": by_ip,
        "block_user": by_account > rule.threshold,
        "block_ip": ctx.ip if by_ip > rule.threshold else None,
        "block_seconds": int(rule.params.get("block_seconds", DEFAULT_BLOCK_SECONDS)),
    }


def _usd_cents(total: Money) -> int | None:
    from shiji.fx.selectors import fx_convert, fx_rate

    if total.currency == "USD":
        return total.minor
    try:
        return fx_convert(total, fx_rate(base=total.currency, quote="USD")).minor
    except ShijiError:
        logger.warning("no %s→USD rate: the large-order rule cannot judge this order", total.currency)
        return None


def new_account_order_value(rule: RiskRule, ctx: Context) -> Facts | None:
    """An account younger than ``params.account_age_days`` orders for more than
    ``params.limit_usd_cents`` (the order total converted to US dollars at the mid rate)."""
    joined = getattr(ctx.user, "date_joined", None)
    raw = ctx.inputs.get("total")
    if joined is None or not isinstance(raw, Mapping):
        return None
    days = int(rule.params.get("account_age_days", DEFAULT_NEW_ACCOUNT_DAYS))
    age = ctx.now - joined
    if age >= timedelta(days=days):
        return None
    total = Money.from_decimal(str(raw.get("amount")), str(raw.get("currency")))
    limit = int(rule.params.get("limit_usd_cents", DEFAULT_LARGE_ORDER_USD_CENTS))
    usd = _usd_cents(total)
    if usd is None or usd <= limit:
        return None
    return {
        "account_age_hours": int(age.total_seconds() // 3600),
        "total": total.as_dict(),
        "total_usd": Money(usd, "USD").as_dict(),
        "limit_usd": Money(limit, "USD").as_dict(),
    }


def payout_after_account_change(rule: RiskRule, ctx: Context) -> Facts | None:
    """The payout account was changed less than ``window_seconds`` before this payout request."""
    raw = ctx.inputs.get("account_changed_at")
    if not raw:
        return None
    changed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    if ctx.now - changed >= timedelta(seconds=rule.window_seconds):
        return None
    return {"account_changed_at": str(raw), "hours_since_change": int((ctx.now - changed).total_seconds() // 3600)}


def _accounts_with(kind: str, value: str, rule: RiskRule, ctx: Context) -> int:
    if not value:
        return 0
    users = set(_signals(kind, rule, ctx).filter(value=value).values_list("user_id", flat=True).distinct())
    if getattr(ctx.user, "pk", None):
        users.add(ctx.user.pk)
    users.discard(None)
    return len(users)


def shared_address_or_phone(rule: RiskRule, ctx: Context) -> Facts | None:
    """The order's shipping address, or its phone number, has been used by more than
    ``threshold`` accounts (this buyer included) within the window (0: ever)."""
    ship_to = ctx.inputs.get("ship_to")
    if not isinstance(ship_to, Mapping):
        return None
    by_address = _accounts_with(SignalKind.ORDER_ADDRESS, address_digest(ship_to), rule, ctx)
    by_phone = _accounts_with(SignalKind.ORDER_PHONE, phone_digest(ship_to.get("phone")), rule, ctx)
    if by_address <= rule.threshold and by_phone <= rule.threshold:
        return None
    return {"accounts_with_address": by_address, "accounts_with_phone": by_phone}


def contact_details(rule: RiskRule, ctx: Context) -> Facts | None:
    """The message (already redacted by messaging) contained contact details or words about
    paying outside the platform: ``inputs.contact_kinds`` is not empty."""
    kinds = ctx.inputs.get("contact_kinds") or []
    if not isinstance(kinds, list | tuple) or len(kinds) <= rule.threshold:
        return None
    return {"contact_kinds": sorted({str(kind) for kind in kinds})}


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Latin keywords match whole words ("replica", not "replicate"); others match anywhere
    (Chinese and Japanese have no spaces between words)."""
    folded = _fold(keyword.strip())
    if folded.isascii():
        return re.compile(r"(?<![0-9a-z])" + re.escape(folded) + r"(?![0-9a-z])")
    return re.compile(re.escape(folded))


def counterfeit_words(rule: RiskRule, ctx: Context) -> Facts | None:
    """The listing's title, description or tags (any language) contain more than ``threshold``
    of the rule's ``params.keywords``."""
    text = _fold("\n".join(_texts([ctx.inputs.get(name) for name in ("title", "description", "tags")])))
    matched = [kw for kw in rule.params.get("keywords", []) if kw.strip() and keyword_pattern(kw).search(text)]
    if len(matched) <= rule.threshold:
        return None
    return {"matched": matched}


def registrations_per_ip(rule: RiskRule, ctx: Context) -> Facts | None:
    """More than ``threshold`` accounts were registered from this IP address within the window
    (this one included)."""
    if not ctx.ip:
        return None
    count = _accounts_with(SignalKind.REGISTRATION_IP, ctx.ip, rule, ctx)
    if count <= rule.threshold:
        return None
    return {"accounts_from_ip": count}


CONDITIONS: dict[str, tuple[RiskPoint, Check]] = {
    Condition.FAILED_PAYMENTS: (RiskPoint.PAYMENT_CALLBACK, failed_payments),
    Condition.NEW_ACCOUNT_ORDER_VALUE: (RiskPoint.ORDER_CREATE, new_account_order_value),
    Condition.PAYOUT_AFTER_ACCOUNT_CHANGE: (RiskPoint.PAYOUT_REQUEST, payout_after_account_change),
    Condition.SHARED_ADDRESS_OR_PHONE: (RiskPoint.ORDER_CREATE, shared_address_or_phone),
    Condition.CONTACT_DETAILS: (RiskPoint.MESSAGE_SEND, contact_details),
    Condition.COUNTERFEIT_WORDS: (RiskPoint.LISTING_PUBLISH, counterfeit_words),
    Condition.REGISTRATIONS_PER_IP: (RiskPoint.REGISTRATION, registrations_per_ip),
}


def signals_observe(ctx: Context) -> None:
    """Record what the counting conditions of this point count, before they count it."""
    user = ctx.user if getattr(ctx.user, "pk", None) else None
    rows: list[RiskSignal] = []
    if ctx.point == RiskPoint.REGISTRATION and ctx.ip:
        rows.append(RiskSignal(kind=SignalKind.REGISTRATION_IP, value=ctx.ip, user=user))
    elif ctx.point == RiskPoint.ORDER_CREATE:
        ship_to = ctx.inputs.get("ship_to")
        if isinstance(ship_to, Mapping):
            rows.append(RiskSignal(kind=SignalKind.ORDER_ADDRESS, value=address_digest(ship_to), user=user))
            phone = phone_digest(ship_to.get("phone"))
            if phone:
                rows.append(RiskSignal(kind=SignalKind.ORDER_PHONE, value=phone, user=user))
        if ctx.ip:
            rows.append(RiskSignal(kind=SignalKind.ORDER_IP, value=ctx.ip, user=user, subject_id=ctx.subject_id))
    elif ctx.point == RiskPoint.PAYMENT_CALLBACK and ctx.inputs.get("outcome") == "failed":
        rows.append(
            RiskSignal(kind=SignalKind.PAYMENT_FAILED, value=ctx.ip or "", user=user, subject_id=ctx.subject_id)
        )
    for row in rows:
        row.created_at = ctx.now
    RiskSignal.objects.bulk_create(rows)


def order_ip(order_id: str) -> str | None:
    """The IP address an order was placed from, as recorded when it was placed."""
    signals = RiskSignal.objects.filter(kind=SignalKind.ORDER_IP, subject_id=order_id)
    return signals.values_list("value", flat=True).first()
