"""Local development: ``SHIJI_DEBUG=1``."""

from config.settings.base import *  # noqa: F403

DEBUG = True

# Serve static files straight from the apps, picking up edits without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
