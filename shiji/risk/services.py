from __future__ import annotations

from typing import Any

from shiji.risk.models import RiskEvent


def risk_event_record(
    *, kind: str, subject_type: str = "", subject_id: str = "", data: dict[str, Any] | None = None, user: Any = None
) -> RiskEvent:
    return RiskEvent.objects.create(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data or {},
        user=user if getattr(user, "pk", None) else None,
    )
