"""Moderation pages: the report form and one's own reports; the moderators' queue and the
account page with suspend / unsuspend (backoffice, under /staff/moderation/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from shiji.accounts.models import User
from shiji.accounts.roles import Role, user_has_role
from shiji.accounts.selectors import page_user
from shiji.core.errors import NotFound, ShijiError
from shiji.moderation import selectors, services
from shiji.moderation.forms import ActionForm, ReportForm, SuspensionForm
from shiji.moderation.states import ReportStatus
from shiji.moderation.targets import target_for_reporter
from shiji.web.forms import form_add_service_error


@login_required
def report_view(request: HttpRequest) -> HttpResponse:
    """/report/?type=listing&id=lst_…: say what is wrong with something you can see."""
    user = page_user(request)
    target_type = request.GET.get("type", "")
    target_id = request.GET.get("id", "")
    try:
        target = target_for_reporter(user=user, target_type=target_type, target_id=target_id)
    except NotFound as exc:
        raise Http404 from exc
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _report, created = services.report_create(
                reporter=user,
                target_type=target_type,
                target_id=target_id,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            if created:
                messages.success(request, _("Thank you. A moderator will look at your report."))
            else:
                messages.info(request, _("You have already reported this; a moderator will look at it."))
            return redirect(target.url or reverse("moderation:mine"))
    return render(
        request,
        "moderation/pages/report.html",
        {"form": form, "target": target, "query": urlencode({"type": target_type, "id": target_id})},
    )


@login_required
def my_reports_view(request: HttpRequest) -> HttpResponse:
    reports = selectors.reports_of_reporter(reporter=page_user(request)).order_by("-created_at")[:100]
    return render(request, "moderation/pages/my_reports.html", {"reports": reports})


def _moderator(request: HttpRequest) -> User:
    user = page_user(request)
    if not user_has_role(user, Role.MODERATOR):
        raise PermissionDenied
    return user


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    moderator = _moderator(request)
    status = request.GET.get("status", ReportStatus.OPEN)
    if status not in ReportStatus.values:
        status = ReportStatus.OPEN
    groups = selectors.report_queue_groups(moderator=moderator, status=status)
    return render(
        request,
        "moderation/pages/queue.html",
        {
            "groups": groups,
            "status": status,
            "statuses": ReportStatus.choices,
            "form": ActionForm(),
            "suspended": selectors.suspended_users(moderator=moderator)[:50],
        },
    )


@login_required
@require_POST
def action_view(request: HttpRequest, report_id: str) -> HttpResponse:
    moderator = _moderator(request)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision and give a reason."))
        return redirect("moderation_staff:queue")
    try:
        with transaction.atomic(durable=True):
            record = services.report_action(
                moderator=moderator,
                report_id=report_id,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
    except ShijiError as exc:
        problems = [str(exc.message), *(m for msgs in exc.fields.values() for m in msgs)]
        messages.error(request, " ".join(problems))
    else:
        count = len(record.report_ids)
        messages.success(
            request,
            ngettext(
                "Done: %(action)s. %(count)s report resolved.", "Done: %(action)s. %(count)s reports resolved.", count
            )
            % {"action": record.get_action_display(), "count": count},
        )
    return redirect("moderation_staff:queue")


@login_required
def user_view(request: HttpRequest, user_id: str) -> HttpResponse:
    """One account: its suspension, the decisions about it, and suspend / unsuspend."""
    moderator = _moderator(request)
    try:
        person = selectors.access_account_for_moderator(moderator=moderator, user_id=user_id)
    except NotFound as exc:
        raise Http404 from exc
    form = SuspensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        try:
            with transaction.atomic(durable=True):
                if decision == "unsuspend":
                    services.user_unsuspend(
                        moderator=moderator, user_id=person.pk, reason=form.cleaned_data["reason"], request=request
                    )
                else:
                    services.user_suspend(
                        moderator=moderator, user_id=person.pk, reason=form.cleaned_data["reason"], request=request
                    )
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("moderation_staff:user", user_id=person.pk)
    history = selectors.moderation_history(moderator=moderator, user_id=person.pk)[:100]
    return render(
        request,
        "moderation/pages/user.html",
        {
            "person": person,
            "form": form,
            "history": history,
            "warnings": selectors.warnings_count(user_id=person.pk),
        },
    )
