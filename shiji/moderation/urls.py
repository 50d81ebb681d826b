from django.urls import path

from shiji.moderation import views

app_name = "moderation"

urlpatterns = [
    path("report/", views.report_view, name="report"),
    path("my/reports/", views.my_reports_view, name="mine"),
]
