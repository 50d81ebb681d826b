"""Reads of risk: the public rules, active blocks, and the staff review queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shiji.accounts.roles import Role, user_has_role
from shiji.core.errors import Forbidden, InvalidInput, NotFound
from shiji.risk.engine import RiskPoint
from shiji.risk.models import POINT_CHOICES, ReviewStatus, RiskBlock, RiskDecision, RiskRule

# Which staff role looks at the decisions of which point (admins see all of them).
POINT_ROLES: dict[str, Role] = {
    RiskPoint.REGISTRATION: Role.MODERATOR,
    RiskPoint.LISTING_PUBLISH: Role.MODERATOR,
    RiskPoint.MESSAGE_SEND: Role.MODERATOR,
    RiskPoint.ORDER_CREATE: Role.FINANCE,
    RiskPoint.PAYMENT_CALLBACK: Role.FINANCE,
    RiskPoint.PAYOUT_REQUEST: Role.FINANCE,
}
POINT_ORDER = [value for value, _label in POINT_CHOICES]


def rules_active(point: str) -> list[RiskRule]:
    return list(RiskRule.objects.filter(point=point, active=True).order_by("position", "code"))


def rules_public() -> list[RiskRule]:
    """Every active rule, grouped by point in the order things happen."""
    rules = list(RiskRule.objects.filter(active=True))
    return sorted(rules, key=lambda rule: (POINT_ORDER.index(rule.point), rule.position, rule.code))


def rule_titles(decisions: Iterable[RiskDecision]) -> dict[str, str]:
    """Code → title, in the active language, of the rules these decisions name (one query)."""
    language = get_language()
    codes = {code for decision in decisions for code in decision.rules}
    return {rule.code: rule.title_for(language) for rule in RiskRule.objects.filter(code__in=codes)}


def risk_block_active(*, scope: str, user: Any, ip: str | None, now: datetime | None = None) -> RiskBlock | None:
    """The block of ``scope`` that lasts longest among those on this user or this IP address."""
    target = Q(user_id=user.pk) if getattr(user, "pk", None) else Q()
    if ip:
        target = target | Q(ip=ip) if target else Q(ip=ip)
    if not target:
        return None
    return RiskBlock.objects.filter(target, scope=scope, until__gt=now or timezone.now()).order_by("-until").first()


def staff_points(staff: Any) -> list[str]:
    return [point for point in POINT_ORDER if user_has_role(staff, POINT_ROLES[point])]


def decision_queue(
    *, staff: Any, status: str | None = ReviewStatus.OPEN, point: str | None = None
) -> QuerySet[RiskDecision]:
    """The decisions this staff member's roles reach (403 when none), filtered by review status."""
    points = staff_points(staff)
    if not points:
        raise Forbidden(_("Your staff role does not allow this."))
    if status and status not in ReviewStatus.values:
        raise InvalidInput(_("Unknown review status."), fields={"status": [", ".join([*ReviewStatus.values, "all"])]})
    if point and point not in POINT_ORDER:
        raise InvalidInput(_("Unknown risk point."), fields={"point": [", ".join(POINT_ORDER)]})
    decisions = RiskDecision.objects.filter(point__in=points).select_related("user", "resolved_by")
    if status:
        decisions = decisions.filter(review_status=status)
    if point:
        decisions = decisions.filter(point=point)
    return decisions


def access_decision_for_staff(*, staff: Any, decision_id: str) -> RiskDecision:
    points = staff_points(staff)
    if not points:
        raise Forbidden(_("Your staff role does not allow this."))
    decision = RiskDecision.objects.select_related("user", "resolved_by").filter(pk=decision_id).first()
    # A decision at a point the role does not handle does not exist for it, exactly like an
    # unknown id: a 403 there would tell finance which ids are moderators' decisions.
    if decision is None or decision.point not in points:
        raise NotFound(_("No such risk decision."))
    return decision


def open_review_count(staff: Any) -> int:
    points = staff_points(staff)
    if not points:
        return 0
    return RiskDecision.objects.filter(review_status=ReviewStatus.OPEN, point__in=points).count()
