"""Finance staff set rates; every change is audited and visible at once."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.core.audit import audit_record
from shiji.core.errors import InvalidInput
from shiji.core.money import check_supported_currency
from shiji.fx.models import FxRate
from shiji.fx.selectors import fx_cache_clear

MAX_RATE_DECIMALS = 12


def parse_rate(raw: object) -> Decimal:
    try:
        rate = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(
            _("The rate must be a positive decimal number."), fields={"rate": [_("Not a number.")]}
        ) from exc
    exponent = rate.as_tuple().exponent
    if (
        not rate.is_finite()
        or rate <= 0
        or rate > Decimal("1000000")
        or (isinstance(exponent, int) and -exponent > MAX_RATE_DECIMALS)
    ):
        raise InvalidInput(
            _("The rate must be a positive decimal number."),
            fields={"rate": [_("Positive, at most 12 decimal places.")]},
        )
    return rate


def fx_rate_set(*, actor: User | None, base: str, quote: str, rate: object, source: str) -> FxRate:
    """Record a new rate for ``base → quote`` (finance or admin staff; ``actor=None`` for imports)."""
    if actor is not None:
        require_role(actor, Role.FINANCE)
    check_supported_currency(base, field="base")
    check_supported_currency(quote, field="quote")
    if base == quote:
        raise InvalidInput(_("Base and quote must differ."), fields={"quote": [_("Must differ from base.")]})
    value = parse_rate(rate)
    source = (source or "").strip()
    if not 1 <= len(source) <= 64:
        raise InvalidInput(_("Name the source of the rate."), fields={"source": [_("1 to 64 characters.")]})
    with transaction.atomic():
        row = FxRate.objects.create(
            base=base, quote=quote, rate=str(value.normalize()), source=source, as_of=timezone.now(), created_by=actor
        )
        audit_record(
            action="fx.rate_set",
            actor=actor,
            target=row,
            data={"base": base, "quote": quote, "rate": row.rate, "source": source},
        )
        transaction.on_commit(fx_cache_clear)
    fx_cache_clear()
    return row
