"""The embedded default: SQLite, the sandbox cloud, a broker in files, repos served on loopback — nothing
to install."""

from .base import *  # noqa: F403
from .base import PORTAL_GIT_HTTP_ADDR, env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# Repos are cloned (by people and the CI pipeline) from the read-only git server runportal starts on
# PORTAL_GIT_HTTP_ADDR; the portal itself still pushes to the bare repos' files.
PORTAL_GIT_PUBLIC_URL = env("PORTAL_GIT_PUBLIC_URL", f"http://{PORTAL_GIT_HTTP_ADDR}" if PORTAL_GIT_HTTP_ADDR else None)
