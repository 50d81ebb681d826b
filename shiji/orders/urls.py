from django.urls import path

from shiji.orders import views

app_name = "orders"

urlpatterns = [
    path("listings/<str:listing_id>/buy/", views.checkout_view, name="checkout"),
    path("my/orders/", views.my_orders_view, name="mine"),
    path("orders/<str:order_id>/", views.order_view, name="detail"),
    path("orders/<str:order_id>/pay/", views.order_pay_view, name="pay"),
    path("orders/<str:order_id>/cancel/", views.order_cancel_view, name="cancel"),
    path("orders/<str:order_id>/ship/", views.order_ship_view, name="ship"),
    path("orders/<str:order_id>/confirm/", views.order_confirm_view, name="confirm"),
]
