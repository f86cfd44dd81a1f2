"""The embedded default: SQLite, the sandbox cloud, a broker in files, repos served on loopback — nothing
to install.

DEBUG stays off (base) unless the person running it asks for it with ``PORTAL_DEBUG=1``; static files
are served by WhiteNoise either way, and errors show the portal's own pages."""

from .base import *  # noqa: F403
from .base import DEBUG, PORTAL_GIT_HTTP_ADDR, env

WHITENOISE_AUTOREFRESH = DEBUG  # pick up edited CSS/JS without a restart while debugging
# Repos are cloned (by people and the CI pipeline) from the read-only git server runportal starts on
# PORTAL_GIT_HTTP_ADDR; the portal itself still pushes to the bare repos' files.
PORTAL_GIT_PUBLIC_URL = env("PORTAL_GIT_PUBLIC_URL", f"http://{PORTAL_GIT_HTTP_ADDR}" if PORTAL_GIT_HTTP_ADDR else None)
# The demo reads machines' (simulated) use every minute, so an idle GPU is flagged soon after it is active.
PORTAL_UTILIZATION_SECONDS = float(env("PORTAL_UTILIZATION_SECONDS", "60"))
CELERY_BEAT_SCHEDULE["utilization-collect"]["schedule"] = PORTAL_UTILIZATION_SECONDS  # noqa: F405
