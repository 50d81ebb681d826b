from django.urls import path

from shiji.risk import views

app_name = "risk"

urlpatterns = [
    path("rules/", views.rules_view, name="rules"),
]
