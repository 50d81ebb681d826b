"""Verification request states and the moves between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


TRANSITIONS: dict[str, set[str]] = {
    VerificationStatus.PENDING: {VerificationStatus.APPROVED, VerificationStatus.REJECTED},
    VerificationStatus.APPROVED: set(),
    VerificationStatus.REJECTED: set(),
}


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National ID card")
    DRIVERS_LICENSE = "drivers_license", _("Driving licence")
    RESIDENCE_CARD = "residence_card", _("Residence card")


class Level(models.IntegerChoices):
    REGISTERED = 0, _("Registered")
    IDENTITY = 1, _("Identity verified")
    TAX = 2, _("Tax details on file")
