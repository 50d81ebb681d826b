from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import Conflict, InvalidInput


class QuoteExpired(Conflict):
    code = "quote_expired"

    def __init__(self) -> None:
        super().__init__(_("This quote has expired. Ask for a new one: prices and rates may have changed."))


class QuoteUsed(Conflict):
    code = "quote_used"

    def __init__(self) -> None:
        super().__init__(_("An order was already placed with this quote."))


class OutOfStock(Conflict):
    code = "out_of_stock"

    def __init__(self) -> None:
        super().__init__(_("Sorry, not enough of this item is left."))


class ProhibitedForDestination(InvalidInput):
    code = "prohibited_for_destination"


class NoRoute(InvalidInput):
    code = "no_route"


class OwnListing(InvalidInput):
    code = "own_listing"

    def __init__(self) -> None:
        super().__init__(_("You cannot buy your own listing."))
