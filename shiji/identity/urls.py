from django.urls import path

from shiji.identity import views

app_name = "identity"

urlpatterns = [
    path("verification/", views.verification_view, name="verification"),
]
