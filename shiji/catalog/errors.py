from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shiji.core.errors import Conflict, InvalidInput


class PhotoLimit(InvalidInput):
    code = "too_many_photos"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("A listing can have at most %(limit)s photos.") % {"limit": limit},
            fields={"image": [_("At most %(limit)s photos.") % {"limit": limit}]},
        )


class PhotoRequired(Conflict):
    code = "photo_required"

    def __init__(self) -> None:
        super().__init__(_("Add at least one photo before publishing."))
