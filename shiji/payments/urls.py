from django.urls import path

from shiji.payments import views

app_name = "payments"

urlpatterns = [
    path("my/wallet/", views.wallet_view, name="wallet"),
]
