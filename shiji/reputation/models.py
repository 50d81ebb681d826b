"""Double-blind reviews, the public reputation and the seller's service score."""

from __future__ import annotations
