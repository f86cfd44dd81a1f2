"""Tests run on the real services: PostgreSQL and Redis from DATABASE_URL / REDIS_URL."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# pytest-xdist: each test process gets its own test database (pytest-django adds the suffix) and its own
# Redis database (15, 14, …: its Celery workers' queues), so processes never see each other's runs.
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist.startswith("gw") and not os.environ.get("PORTAL_XDIST_REDIS_SET"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{int(_db or 0) - int(_xdist[2:])}"
    os.environ["PORTAL_XDIST_REDIS_SET"] = "1"  # the workers these tests start inherit it as it is

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
# Tests call the API far more often than a person would; the throttling test sets its own rates.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "100000/min", "session": "100000/min",  # noqa: F405
                                                               "anonymous": "100000/min"}}
# Team webhooks: the tests' receivers listen on 127.0.0.1; retries back off from half a second.
PORTAL_WEBHOOK_ALLOW_PRIVATE = True
PORTAL_WEBHOOK_RETRY_SECONDS = 0.5
PORTAL_WEBHOOK_MAX_ATTEMPTS = 3
# Test workers beat often (readiness tests wait for a heartbeat to age out).
PORTAL_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("PORTAL_WORKER_HEARTBEAT_SECONDS", "1"))
