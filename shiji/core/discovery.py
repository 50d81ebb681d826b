"""Per-app hooks found at start-up, like the admin's ``admin.py``: a Shiji app that has the
module ``<app>.<module_name>`` contributes its ``attribute`` (e.g. each domain's notification
wording, each domain's backoffice queues)."""

from __future__ import annotations

import functools
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@functools.cache
def app_hooks(module_name: str, attribute: str) -> tuple[Any, ...]:
    """``attribute`` of every installed ``shiji.*`` app's ``module_name`` module, in app order."""
    return tuple(
        getattr(import_module(f"{config.name}.{module_name}"), attribute)
        for config in apps.get_app_configs()
        if config.name.startswith("shiji.") and module_has_submodule(config.module, module_name)
    )
