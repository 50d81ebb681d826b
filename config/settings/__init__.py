"""Settings chosen by the environment: ``SHIJI_DEBUG=1`` → dev, otherwise prod.

``config.settings.test`` is used by the test suite (see pyproject.toml).
"""

from config.env import env_bool

if env_bool("SHIJI_DEBUG", False):
    from config.settings.dev import *  # noqa: F403
else:
    from config.settings.prod import *  # noqa: F403
