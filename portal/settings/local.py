"""The embedded default: SQLite, the sandbox cloud, a broker in files — nothing to install.

DEBUG stays off (base) unless the person running it asks for it with ``PORTAL_DEBUG=1``; static files
are served by WhiteNoise either way, and errors show the portal's own pages."""

from .base import *  # noqa: F403
from .base import DEBUG

WHITENOISE_AUTOREFRESH = DEBUG  # pick up edited CSS/JS without a restart while debugging
