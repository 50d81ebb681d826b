"""Production (``SHIJI_DEBUG`` unset or 0). Security settings follow ``SHIJI_HTTPS``."""

from config.settings.base import *  # noqa: F403

DEBUG = False
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
