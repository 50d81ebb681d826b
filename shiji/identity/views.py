from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shiji.accounts.selectors import page_user
from shiji.core.errors import ShijiError
from shiji.identity import selectors, services
from shiji.identity.forms import VerificationForm
from shiji.web.forms import form_add_service_error


@login_required
def verification_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    latest = selectors.verification_latest(user=user)
    form = VerificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                services.verification_submit(
                    user=user,
                    legal_name=form.cleaned_data["legal_name"],
                    document_type=form.cleaned_data["document_type"],
                    document_number=form.cleaned_data["document_number"],
                    document_image=form.cleaned_data["document_image"],
                )
        except ShijiError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you. An identity reviewer will check your document soon."))
            return redirect("identity:verification")
    return render(request, "identity/pages/verification.html", {"form": form, "latest": latest})
