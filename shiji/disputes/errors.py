from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import InvalidState


class DisputeExists(InvalidState):
    def __init__(self) -> None:
        super().__init__(_("A dispute was already opened for this order."))


class DisputeClosed(InvalidState):
    def __init__(self) -> None:
        super().__init__(_("This dispute is closed."))


class OutsideWindow(InvalidState):
    """Too early (``not_received`` before the carrier's estimate has passed) or too late."""
