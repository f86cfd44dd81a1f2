"""Tests run on the real services: PostgreSQL and Redis from DATABASE_URL / REDIS_URL."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
RUN_HEARTBEAT_SECONDS = 1.0
RUN_STALE_SECONDS = 5.0
RUN_RETRY_BASE_SECONDS = 1.0
RUN_STOP_GRACE_SECONDS = 20.0
# WhiteNoise looks static files up per request instead of scanning every app's files for each test
# client's new handler (the scan costs ~0.1 s a client).
WHITENOISE_AUTOREFRESH = True
