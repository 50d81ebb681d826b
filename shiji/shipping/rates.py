"""What shipping costs: chargeable weight (CUSTOMS.md "Shipping data") and the carrier options
for one parcel on one route, priced from the services' rate tables.

A listing gives the weight and size of one item; an order of ``quantity`` items ships as one
parcel of ``quantity`` × the weight, with the items stacked along their shortest side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidInput
from shiji.core.geo import check_country
from shiji.core.money import Money
from shiji.shipping.carriers.registry import adapter_names
from shiji.shipping.models import CarrierService, RateBracket, ShippingZone
from shiji.shipping.states import SizeRule


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def chargeable_weight_g(actual_g: int, length_cm: int, width_cm: int, height_cm: int, divisor: int, step_g: int) -> int:
    """max(actual weight, L × W × H / divisor kg), rounded **up** to the carrier's step, in grams.

    Exact integer arithmetic: a 40 × 30 × 30 cm box is 36,000 cm³ → 7.2 kg at divisor 5,000
    (7,500 g with a 500 g step) and 6.0 kg at 6,000 (6,000 g). A parcel is never less than one step.
    """
    sizes = {"actual_g": actual_g, "length_cm": length_cm, "width_cm": width_cm, "height_cm": height_cm}
    for name, value in sizes.items():
        if not _whole(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if not _whole(divisor) or divisor <= 0 or not _whole(step_g) or step_g <= 0:
        raise ValueError("divisor and step_g must be positive ints")
    volumetric_g = _ceil_div(length_cm * width_cm * height_cm * 1000, divisor)
    weight = max(actual_g, volumetric_g, 1)
    return _ceil_div(weight, step_g) * step_g


@dataclass(frozen=True)
class Parcel:
    """One parcel as a carrier measures it: sides sorted longest first."""

    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int

    @property
    def size_sum_cm(self) -> int:
        return self.length_cm + self.width_cm + self.height_cm

    @property
    def length_and_girth_cm(self) -> int:
        return self.length_cm + 2 * (self.width_cm + self.height_cm)


def parcel_for(weight_g: int, dims_cm: Sequence[int], quantity: int = 1) -> Parcel:
    """The parcel for ``quantity`` items of ``weight_g`` and ``dims_cm`` each (stacked flat)."""
    fields: dict[str, list[str]] = {}
    if not _whole(weight_g) or weight_g <= 0:
        fields["weight_g"] = [_("Enter a whole number of grams above zero.")]
    if len(dims_cm) != 3 or not all(_whole(d) and d > 0 for d in dims_cm):
        fields["dims_cm"] = [_("Enter length, width and height in whole centimetres above zero.")]
    if not _whole(quantity) or quantity < 1:
        fields["quantity"] = [_("Enter a quantity of at least 1.")]
    if fields:
        raise InvalidInput(_("The parcel's weight or size is not valid."), fields=fields)
    length, width, height = sorted(dims_cm, reverse=True)
    stacked = sorted((length, width, height * quantity), reverse=True)
    return Parcel(weight_g * quantity, stacked[0], stacked[1], stacked[2])


def service_fits(service: CarrierService, parcel: Parcel) -> bool:
    """Whether the parcel is within the service's weight and size limits."""
    size = parcel.size_sum_cm if service.size_rule == SizeRule.SUM else parcel.length_and_girth_cm
    return (
        parcel.weight_g <= service.max_weight_g
        and parcel.length_cm <= service.max_length_cm
        and size <= service.max_size_cm
    )


@dataclass(frozen=True)
class ShippingOption:
    service: str  # CarrierService.code
    carrier: str  # Carrier.code
    names: Mapping[str, str] = field(hash=False)
    price: Money
    chargeable_weight_g: int
    transit_days_min: int
    transit_days_max: int
    tracked: bool
    ddp: bool

    def name_for(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


def _option(zone: ShippingZone, parcel: Parcel) -> ShippingOption | None:
    service = zone.service
    if not service_fits(service, parcel):
        return None
    weight = chargeable_weight_g(
        parcel.weight_g,
        parcel.length_cm,
        parcel.width_cm,
        parcel.height_cm,
        service.volumetric_divisor,
        service.rounding_step_g,
    )
    if weight > service.max_weight_g:
        return None
    bracket = next((b for b in zone.brackets.all() if b.max_weight_g >= weight), None)
    if bracket is None:
        return None
    return ShippingOption(
        service=service.code,
        carrier=service.carrier.code,
        names=service.names(),
        price=Money(bracket.price_minor, service.currency),
        chargeable_weight_g=weight,
        transit_days_min=zone.transit_days_min if zone.transit_days_min is not None else service.transit_days_min,
        transit_days_max=zone.transit_days_max if zone.transit_days_max is not None else service.transit_days_max,
        tracked=service.tracked,
        ddp=service.ddp,
    )


def _zones(origin: str, destination: str, service_code: str | None = None) -> list[ShippingZone]:
    zones = (
        ShippingZone.objects.filter(
            origin_country=origin,
            countries__country=destination,
            service__active=True,
            service__carrier__active=True,
            service__carrier__adapter__in=adapter_names(),
        )
        .select_related("service__carrier")
        .prefetch_related(Prefetch("brackets", queryset=RateBracket.objects.order_by("max_weight_g")))
        .order_by("service__position", "service__code", "code")
    )
    if service_code is not None:
        zones = zones.filter(service__code=service_code)
    return list(zones)


def _sort_key(option: ShippingOption) -> tuple[str, int, int, str]:
    return (option.price.currency, option.price.minor, option.transit_days_max, option.service)


def shipping_options(
    origin: str, destination: str, weight_g: int, dims_cm: Sequence[int], quantity: int = 1
) -> list[ShippingOption]:
    """Every active service (of a carrier whose integration is available here) that carries
    this parcel from ``origin`` to ``destination``, cheapest first (by price within a currency;
    all seeded services of one origin share its currency).
    Services whose weight or size limits the parcel exceeds, or that do not serve the route,
    are left out; an empty list means no route. Two queries whatever the number of services."""
    check_country(origin, field="origin")
    check_country(destination, field="destination")
    parcel = parcel_for(weight_g, dims_cm, quantity)
    best: dict[str, ShippingOption] = {}
    for zone in _zones(origin, destination):
        option = _option(zone, parcel)
        if option is None:
            continue
        current = best.get(option.service)
        if current is None or option.price.minor < current.price.minor:
            best[option.service] = option  # a country in two zones of one service: the cheaper
    return sorted(best.values(), key=_sort_key)


def shipping_option(
    service_code: str, origin: str, destination: str, weight_g: int, dims_cm: Sequence[int], quantity: int = 1
) -> ShippingOption | None:
    """The option of one service for this parcel, or ``None`` when it does not carry it."""
    check_country(origin, field="origin")
    check_country(destination, field="destination")
    parcel = parcel_for(weight_g, dims_cm, quantity)
    options = [o for o in (_option(z, parcel) for z in _zones(origin, destination, service_code)) if o is not None]
    return min(options, key=_sort_key) if options else None
