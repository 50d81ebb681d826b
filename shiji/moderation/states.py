"""Reports: what can be reported, why, and the report's lifecycle (open → dismissed | actioned)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetType(models.TextChoices):
    LISTING = "listing", _("Listing")
    NOTE = "note", pgettext_lazy("a social post (笔记)", "Note")
    USER = "user", _("User")
    MESSAGE = "message", _("Message")
    REVIEW = "review", _("Review")


class ReportReason(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    PROHIBITED_ITEM = "prohibited_item", _("Prohibited item")
    SCAM_OR_FRAUD = "scam_or_fraud", _("Scam or fraud")
    OFF_PLATFORM_PAYMENT = "off_platform_payment", _("Asks to pay outside Shiji")
    HARASSMENT = "harassment", _("Harassment")
    OFFENSIVE = "offensive", _("Offensive content")
    SPAM = "spam", _("Spam")
    WRONG_CATEGORY = "wrong_category", _("Wrong category")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    ACTIONED = "actioned", _("Action taken")


class ActionKind(models.TextChoices):
    DISMISS = "dismiss", _("Dismiss")
    HIDE = "hide", _("Hide")
    WARN = "warn", _("Warn")
    SUSPEND = "suspend", _("Suspend the account")
    UNSUSPEND = "unsuspend", _("Lift the suspension")


S = ReportStatus
TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.DISMISSED, S.ACTIONED},
    S.DISMISSED: set(),
    S.ACTIONED: set(),
}
# What a moderator can do from the report queue (unsuspend is done on the account).
REPORT_ACTIONS = (ActionKind.DISMISS, ActionKind.HIDE, ActionKind.WARN, ActionKind.SUSPEND)
# A target whose owner has no hideable content of this kind: hide is refused, suspend instead.
HIDEABLE_TARGETS = (TargetType.LISTING, TargetType.MESSAGE, TargetType.REVIEW)
DETAILS_MAX = 2000
REASON_MAX = 2000
