"""Local development: ``SHIJI_DEBUG=1``."""

from config.settings.base import *  # noqa: F403

DEBUG = True
