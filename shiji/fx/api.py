"""GET /fx and PUT /staff/fx-rates (API.md "Money")."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from shiji.api.auth import api_user
from shiji.api.openapi import errors
from shiji.core.time import iso_utc
from shiji.fx import selectors, services
from shiji.fx.schemas import RateIn, RateOut

router = Router()
staff_router = Router()


def _rate_out(rate: selectors.Rate) -> dict[str, Any]:
    return {
        "base": rate.base,
        "quote": rate.quote,
        "rate": format(rate.rate.normalize(), "f"),  # "150", never "1.5E+2"
        "source": rate.source,
        "as_of": iso_utc(rate.as_of),
    }


@router.get("/fx", auth=None, response=RateOut)
def fx_get(request: HttpRequest, base: str, quote: str) -> dict[str, Any]:
    return _rate_out(selectors.fx_rate(base=base, quote=quote))


@staff_router.put("/fx-rates", response={200: RateOut, **errors(403)})
def fx_set(request: HttpRequest, payload: RateIn) -> dict[str, Any]:
    with transaction.atomic(durable=True):
        services.fx_rate_set(
            actor=api_user(request), base=payload.base, quote=payload.quote, rate=payload.rate, source=payload.source
        )
    return _rate_out(selectors.fx_rate(base=payload.base, quote=payload.quote))
