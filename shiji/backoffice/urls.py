from django.urls import path

from shiji.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("identity/", views.identity_queue, name="identity_queue"),
    path("identity/<str:verification_id>/", views.identity_detail, name="identity_detail"),
    path("identity/<str:verification_id>/document", views.identity_document, name="identity_document"),
]
