"""Explicit state machines: one helper validates a move against a domain's table, applies it
with a conditional UPDATE (so two racing transitions cannot both win), and writes the event row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from shiji.core.errors import InvalidState
from shiji.core.models import StateEvent

TransitionTable = Mapping[str, Collection[str]]
M = TypeVar("M", bound=models.Model)


def check_transition(table: TransitionTable, from_state: str, to_state: str) -> None:
    if to_state not in table.get(from_state, ()):
        raise InvalidState(_("Cannot go from “%(from)s” to “%(to)s”.") % {"from": from_state, "to": to_state})


def transition(
    instance: M,
    *,
    to: str,
    table: TransitionTable,
    event_model: type[StateEvent],
    actor: Any = None,
    note: str = "",
    field: str = "status",
    updates: Mapping[str, Any] | None = None,
) -> StateEvent:
    """Move ``instance`` to ``to`` and record who did it.

    ``updates`` are further fields written in the same UPDATE. Raises ``InvalidState`` when the
    table forbids the move or when another transaction moved the object first.
    """
    from_state = getattr(instance, field)
    check_transition(table, from_state, to)
    changes = {field: to, **(updates or {})}
    with transaction.atomic():
        moved = type(instance)._default_manager.filter(pk=instance.pk, **{field: from_state}).update(**changes)
        if moved != 1:
            raise InvalidState(_("This was changed by someone else; reload and try again."))
        for name, value in changes.items():
            setattr(instance, name, value)
        return event_model._default_manager.create(  # type: ignore[misc]  # concrete events define `subject`
            subject=instance, actor=actor, from_state=from_state, to_state=to, note=note
        )
