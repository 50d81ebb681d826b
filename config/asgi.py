"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_http = get_asgi_application()

from django.conf import settings  # noqa: E402

# Django runs each ASGI request in a context of its own, so a persistent connection is never
# reused: it stays open until garbage-collected, and under load PostgreSQL runs out of
# connections ("too many clients"). Django's docs: disable persistent connections under ASGI.
# (The WSGI entry point, config/wsgi.py, keeps them.)
for database in settings.DATABASES.values():
    database["CONN_MAX_AGE"] = 0

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from shiji.core.http_concurrency import ConcurrencyLimit  # noqa: E402
from shiji.web.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ConcurrencyLimit(django_http, settings.SHIJI_HTTP_CONCURRENCY),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
