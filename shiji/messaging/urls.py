from django.urls import path

from shiji.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.conversations_view, name="conversations"),
    path("messages/<str:conversation_id>/", views.conversation_view, name="conversation"),
    path("orders/<str:order_id>/messages/", views.order_message_view, name="order_send"),
    path("listings/<str:listing_id>/ask/", views.listing_ask_view, name="ask"),
]
