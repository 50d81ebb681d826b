from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shiji.accounts.selectors import page_user
from shiji.notifications.selectors import user_notifications
from shiji.notifications.services import notification_mark_read
from shiji.notifications.texts import notification_path, notification_text


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    user = page_user(request)
    rows = list(user_notifications(user=user).order_by("-created_at")[:100])
    items = [{"notification": n, "text": notification_text(n), "path": notification_path(n)} for n in rows]
    return render(request, "notifications/pages/list.html", {"items": items})


@login_required
@require_POST
def notifications_read_view(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=page_user(request))
    return redirect("notifications:list")
