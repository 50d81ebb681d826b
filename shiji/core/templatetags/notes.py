from __future__ import annotations

from django import template

from shiji.core.notes import note_text as _note_text

register = template.Library()


@register.filter
def note_text(note: str | None) -> str:
    """An event's note in the reader's language (see ``shiji.core.notes``)."""
    return _note_text(note)
