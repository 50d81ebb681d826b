"""Finance staff set rates, and operators import rate files; every change is audited and visible at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.core.audit import audit_record
from shiji.core.errors import InvalidInput, ShijiError
from shiji.core.money import check_supported_currency
from shiji.core.time import iso_utc
from shiji.fx.models import FxRate
from shiji.fx.rate_files import RateFileError, RateRow
from shiji.fx.selectors import fx_cache_clear

MAX_RATE_DECIMALS = 12
# A rate may be stamped a little ahead of the server's clock (clock skew), never further.
MAX_AS_OF_AHEAD = timedelta(minutes=5)


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


def check_as_of(as_of: datetime | None) -> datetime:
    """``as_of`` as given (aware, not more than 5 minutes ahead), or now when ``None``."""
    now = timezone.now()
    if as_of is None:
        return now
    if timezone.is_naive(as_of):
        raise InvalidInput(
            _("The time of the rate needs a time zone."), fields={"as_of": [_("Give the time with a time zone.")]}
        )
    if as_of > now + MAX_AS_OF_AHEAD:
        raise InvalidInput(
            _("The time of the rate is in the future."), fields={"as_of": [_("Must not be in the future.")]}
        )
    return as_of


def fx_rate_set(
    *, actor: User | None, base: str, quote: str, rate: object, source: str, as_of: datetime | None = None
) -> FxRate:
    """Record a new rate for ``base → quote`` (finance or admin staff; ``actor=None`` for imports).

    ``as_of`` is when the rate was published (default: now); the newest ``as_of`` per pair is in force.
    """
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
    published = check_as_of(as_of)
    with transaction.atomic():
        row = FxRate.objects.create(
            base=base,
            quote=quote,
            rate=format(value.normalize(), "f"),
            source=source,
            as_of=published,
            created_by=actor,
        )
        audit_record(
            action="fx.rate_set",
            actor=actor,
            target=row,
            data={"base": base, "quote": quote, "rate": row.rate, "source": source, "as_of": iso_utc(published)},
        )
        transaction.on_commit(fx_cache_clear)
    fx_cache_clear()
    return row


@dataclass(frozen=True)
class FxImportResult:
    imported: int
    unchanged: int  # rows equal to a rate already recorded (same pair, as_of and rate)


def _describe(exc: ShijiError) -> str:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
    return f"{exc.message}{' (' + details + ')' if details else ''}"


def _recorded_rates(rows: Sequence[RateRow]) -> dict[tuple[str, str, datetime], Decimal]:
    """The rate in force at each (base, quote, as_of) already stored within the rows' time span."""
    stamped = [row.as_of for row in rows if row.as_of is not None]
    if not stamped:
        return {}
    found = (
        FxRate.objects.filter(
            as_of__range=(min(stamped), max(stamped)),
            base__in={row.base for row in rows},
            quote__in={row.quote for row in rows},
        )
        .order_by("created_at")
        .values_list("base", "quote", "as_of", "rate")
    )
    return {(base, quote, as_of): Decimal(rate) for base, quote, as_of, rate in found}


def fx_rates_import(*, rows: Sequence[RateRow]) -> FxImportResult:
    """Record every row of a rate file through ``fx_rate_set`` (``actor=None``), all or nothing.

    A row equal to a rate already recorded (same pair, ``as_of`` and rate) is skipped, so the
    same file can be imported twice; two rows of one file for the same pair and ``as_of`` must
    agree. Any invalid row raises ``RateFileError`` naming the row (``row.where``) and what is
    wrong, and then nothing is written.
    """
    imported = unchanged = 0
    with transaction.atomic(durable=True):
        recorded = _recorded_rates(rows)
        in_file: dict[tuple[str, str, datetime], RateRow] = {}
        for row in rows:
            try:
                check_supported_currency(row.base, field="base")
                check_supported_currency(row.quote, field="quote")
                value = parse_rate(row.rate)
                key = (row.base, row.quote, row.as_of) if row.as_of is not None else None
                first = in_file.setdefault(key, row) if key else row
                if first is not row and parse_rate(first.rate) != value:
                    raise RateFileError(
                        f"{row.where}: {row.base}->{row.quote} at {iso_utc(row.as_of)} has another rate"
                        f" on {first.where} ({first.rate})"
                    )
                if key and recorded.get(key) == value:
                    unchanged += 1
                    continue
                fx_rate_set(actor=None, base=row.base, quote=row.quote, rate=value, source=row.source, as_of=row.as_of)
            except ShijiError as exc:
                raise RateFileError(f"{row.where}: {_describe(exc)}") from exc
            if key:
                recorded[key] = value
            imported += 1
    return FxImportResult(imported=imported, unchanged=unchanged)
