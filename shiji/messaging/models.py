"""Messages between buyer and seller, per order and per listing inquiry, with contact details redacted."""

from __future__ import annotations
