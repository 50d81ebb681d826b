from django.urls import path

from shiji.web.consumers import UserEventsConsumer

websocket_urlpatterns = [path("ws/me/", UserEventsConsumer.as_asgi())]
