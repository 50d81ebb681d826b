"""Staff queues in the browser. Each view checks the role through the domain's selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shiji.accounts.roles import Role, user_has_role, user_roles
from shiji.accounts.selectors import page_user
from shiji.core.discovery import app_hooks
from shiji.core.downloads import file_response
from shiji.core.errors import Forbidden, NotFound, ShijiError
from shiji.identity import selectors as identity_selectors
from shiji.identity import services as identity_services
from shiji.identity.forms import DecisionForm
from shiji.web.forms import form_add_service_error


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    roles = user_roles(page_user(request))
    if not roles:
        raise PermissionDenied
    queues = []
    if user_has_role(page_user(request), Role.IDENTITY_REVIEWER):
        count = identity_selectors.verification_queue(reviewer=page_user(request)).count()
        queues.append({"name": _("Identity documents"), "url": reverse("backoffice:identity_queue"), "count": count})
    for provider in app_hooks("staff_queues", "staff_queues"):
        queues.extend(provider(page_user(request)))
    return render(request, "backoffice/pages/dashboard.html", {"queues": queues, "roles": roles})


@login_required
def identity_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    if status not in ("pending", "approved", "rejected"):
        status = "pending"
    try:
        queue = identity_selectors.verification_queue(reviewer=page_user(request), status=status)
    except Forbidden as exc:
        raise PermissionDenied from exc
    return render(
        request,
        "backoffice/pages/identity_queue.html",
        {"items": list(queue.order_by("created_at")[:200]), "status": status},
    )


@login_required
def identity_detail(request: HttpRequest, verification_id: str) -> HttpResponse:
    try:
        verification = identity_selectors.access_verification_for_staff(
            reviewer=page_user(request), verification_id=verification_id
        )
    except Forbidden as exc:
        raise PermissionDenied from exc
    except NotFound as exc:
        raise Http404 from exc
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            with transaction.atomic(durable=True):
                identity_services.verification_decide(
                    reviewer=page_user(request),
                    verification_id=verification_id,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("backoffice:identity_queue")
    return render(request, "backoffice/pages/identity_detail.html", {"v": verification, "form": form})


@login_required
def identity_document(request: HttpRequest, verification_id: str) -> HttpResponseBase:
    try:
        content = identity_services.verification_document_read(
            reviewer=page_user(request), verification_id=verification_id, request=request
        )
    except Forbidden as exc:
        raise PermissionDenied from exc
    except NotFound as exc:
        raise Http404 from exc
    return file_response(content, content_type="image/jpeg", filename=f"{verification_id}.jpg")
