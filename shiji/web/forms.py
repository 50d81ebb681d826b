"""Helpers that let page forms show a service's refusal next to the right field."""

from __future__ import annotations

from django import forms

from shiji.core.errors import ShijiError


def form_add_service_error(form: forms.Form, error: ShijiError) -> None:
    placed = False
    for name, messages in error.fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, str(error.message))
