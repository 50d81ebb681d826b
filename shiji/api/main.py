"""The NinjaAPI instance: one exception handler set, each domain's router mounted here."""

from __future__ import annotations

from shiji.accounts.api import auth_router, me_router, users_router
from shiji.api.auth import AUTH
from shiji.api.errors import install_error_handlers
from shiji.api.health import router as health_router
from shiji.api.inputs import inputs_checked
from shiji.api.openapi import ShijiAPI
from shiji.catalog.api import router as catalog_router
from shiji.catalog.api import staff_router as catalog_staff_router
from shiji.disputes.api import router as disputes_router
from shiji.disputes.api import staff_router as disputes_staff_router
from shiji.fx.api import router as fx_router
from shiji.fx.api import staff_router as fx_staff_router
from shiji.identity.api import me_router as identity_me_router
from shiji.identity.api import staff_router as identity_staff_router
from shiji.messaging.api import router as messaging_router
from shiji.moderation.api import router as moderation_router
from shiji.moderation.api import staff_router as moderation_staff_router
from shiji.notifications.api import router as notifications_router
from shiji.orders.api import router as orders_router
from shiji.orders.api import staff_router as orders_staff_router
from shiji.payments.api import me_router as payments_me_router
from shiji.payments.api import router as payments_router
from shiji.payments.api import staff_router as payments_staff_router
from shiji.reputation.api import router as reputation_router
from shiji.reputation.api import staff_router as reputation_staff_router
from shiji.risk.api import router as risk_router
from shiji.risk.api import staff_router as risk_staff_router
from shiji.shipping.api import router as shipping_router

api = ShijiAPI(
    title="Shiji API",
    version="1",
    description="Cross-border C2C social commerce. The contract is API.md; this schema is generated.",
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_decorator(inputs_checked, mode="view")

api.add_router("/", health_router, tags=["health"])
api.add_router("/auth", auth_router, tags=["accounts"])
api.add_router("/me", me_router, tags=["accounts"])
api.add_router("/me", identity_me_router, tags=["identity"])
api.add_router("/users", users_router, tags=["accounts"])
api.add_router("/staff", identity_staff_router, tags=["identity"])
api.add_router("/", catalog_router, tags=["catalog"])
api.add_router("/staff", catalog_staff_router, tags=["catalog"])
api.add_router("/", fx_router, tags=["money"])
api.add_router("/staff", fx_staff_router, tags=["money"])
api.add_router("/me", payments_me_router, tags=["money"])
api.add_router("/", payments_router, tags=["money"])
api.add_router("/staff", payments_staff_router, tags=["money"])
api.add_router("/", orders_router, tags=["orders"])
api.add_router("/me", notifications_router, tags=["notifications"])
api.add_router("/staff", orders_staff_router, tags=["orders"])
api.add_router("/", shipping_router, tags=["shipping"])
api.add_router("/", messaging_router, tags=["messages"])
api.add_router("/", disputes_router, tags=["trust"])
api.add_router("/staff", disputes_staff_router, tags=["trust"])
api.add_router("/", reputation_router, tags=["trust"])
api.add_router("/staff", reputation_staff_router, tags=["trust"])
api.add_router("/", moderation_router, tags=["trust"])
api.add_router("/staff", moderation_staff_router, tags=["trust"])
api.add_router("/", risk_router, tags=["trust"])
api.add_router("/staff", risk_staff_router, tags=["trust"])
