"""Risk pages: the public rules page (/rules/) and the staff review queue (/staff/risk/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from shiji.accounts.selectors import page_user
from shiji.core.errors import Forbidden, NotFound, ShijiError
from shiji.risk import selectors, services
from shiji.risk.forms import ResolveForm
from shiji.risk.models import POINT_CHOICES, ReviewStatus
from shiji.web.forms import form_add_service_error


def _duration(seconds: int) -> str:
    if not seconds:
        return _("any time")
    if seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def rules_view(request: HttpRequest) -> HttpResponse:
    """Every active rule in plain words, grouped by when it is checked (public)."""
    language = get_language()
    rules = selectors.rules_public()
    groups = []
    for point, label in POINT_CHOICES:
        rows = [
            {
                "code": rule.code,
                "title": rule.title_for(language),
                "description": rule.description_for(language),
                "window": _duration(rule.window_seconds),
                "threshold": rule.threshold,
                "action": rule.get_action_display(),
            }
            for rule in rules
            if rule.point == point
        ]
        if rows:
            groups.append({"label": label, "rules": rows})
    return render(request, "risk/pages/rules.html", {"groups": groups})


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ReviewStatus.OPEN)
    if status not in ReviewStatus.values:
        status = ReviewStatus.OPEN
    try:
        queue = selectors.decision_queue(staff=page_user(request), status=status)
    except Forbidden as exc:
        raise PermissionDenied from exc
    items = list(queue.order_by("-created_at")[:200])
    titles = selectors.rule_titles(items)
    rows: list[dict[str, Any]] = [
        {"decision": decision, "reasons": [titles.get(code, code) for code in decision.rules]} for decision in items
    ]
    return render(request, "risk/pages/queue.html", {"rows": rows, "status": status})


@login_required
def decision_view(request: HttpRequest, decision_id: str) -> HttpResponse:
    staff = page_user(request)
    try:
        decision = selectors.access_decision_for_staff(staff=staff, decision_id=decision_id)
    except Forbidden as exc:
        raise PermissionDenied from exc
    except NotFound as exc:
        raise Http404 from exc
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resolution = request.POST.get("resolution", "")
        try:
            with transaction.atomic(durable=True):
                services.risk_decision_resolve(
                    staff=staff,
                    decision_id=decision.pk,
                    resolution=resolution,
                    note=form.cleaned_data["note"],
                    request=request,
                )
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("risk_staff:queue")
    titles = selectors.rule_titles([decision])
    return render(
        request,
        "risk/pages/decision.html",
        {
            "d": decision,
            "reasons": [titles.get(code, code) for code in decision.rules],
            "form": form,
            "events": list(decision.events.select_related("actor")),
        },
    )
