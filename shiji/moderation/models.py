"""Reports and the moderators' actions: dismiss, hide, warn, suspend."""

from __future__ import annotations
