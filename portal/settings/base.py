"""Settings shared by every environment; everything that varies comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from .logs import logging_settings

BASE_DIR = Path(__file__).resolve().parents[2]


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, str(default)).lower() in ("1", "true", "yes", "on")


DATA_DIR = Path(env("PORTAL_DATA_DIR", str(BASE_DIR / ".data")))
# Private to the portal's user (see portal.private_files); an older, wider data dir is narrowed.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if DATA_DIR.stat().st_uid == os.getuid() and DATA_DIR.stat().st_mode & 0o077:
    DATA_DIR.chmod(0o700)

SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-local-only-key-change-me")
DEBUG = env_bool("PORTAL_DEBUG", False)  # only when a person asks for it: DEBUG pages show settings and code
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver leaves static files to WhiteNoise, as gunicorn does
    "django.contrib.staticfiles",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "portal.core",
    "portal.accounts",
    "portal.teams",
    "portal.audit",
    "portal.catalog",
    "portal.onboarding",
    "portal.approvals",
    "portal.inventory",
    "portal.notifications",
    "portal.utilization",
    "portal.migration",
    "portal.datasets",
    "portal.api",
    "portal.monitoring",
    "provisioning",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
    "portal.core.request_ids.RequestIdMiddleware",  # X-Request-ID in and out; the correlation id of its logs
    # /healthz, /readyz, /metrics: answered here, before host checks, HTTPS redirects and sessions (probes)
    "portal.monitoring.middleware.MonitoringEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.accounts.sso_logout.ProviderLogoutFormAction",  # after CSP: its update reaches CSP's header
    "django_htmx.middleware.HtmxMiddleware",
    "portal.core.middleware.ApplicationErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # before axes: counts its lockout answers too
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into our lockout page
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],  # HTML lives in each app; top-level templates/ holds copier scaffolds only
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.navigation",
                "portal.notifications.context_processors.notifications",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Names the process in pg_stat_activity (web, worker, beat): operators see who holds what.
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = env("PORTAL_PROCESS_NAME", "portal")
    # An unreachable server fails a connection in seconds (/readyz answers), not after the system's TCP timeout.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", int(env("PORTAL_DB_CONNECT_TIMEOUT", "5")))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The worker and the web process write at once: wait for locks, write-ahead log.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
# django-prometheus' backends (same drivers) count queries and errors per database for /metrics.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace("django.db.backends.",
                                                                          "django_prometheus.db.backends.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [  # where a password is chosen: admin forms, changepassword, createsuperuser
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Failed logins (django-axes): after N failures for one username from one address, that pair is
# locked out for a while (a page of ours, HTTP 429); each failure is audited (portal.accounts.login_audit).
# An admin unlocks early in the admin (Axes → Access attempts) or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = int(env("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(env("PORTAL_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Behind a TLS-terminating proxy the client's address is in X-Forwarded-For: say how many proxies
# there are (0: use the connection's address, which a client cannot forge).
PORTAL_PROXY_COUNT = int(env("PORTAL_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = PORTAL_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PORTAL_PROXY_COUNT else ("REMOTE_ADDR",)

# Content-Security-Policy (django-csp 4), enforced in every environment so the browser tests catch a
# violation: scripts, styles and everything else come from the portal's own static files only — no
# inline <script>, no style="" or on*="" attributes, no eval (htmx is configured without it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for the empty favicon
        "font-src": [SELF],
        "connect-src": [SELF],  # htmx requests
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves static files with or without DEBUG; it finds them in the apps, so the embedded run
# needs no collectstatic (what collectstatic put in STATIC_ROOT is served too).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one at every start

# --- API (Django REST framework + drf-spectacular): portal/api ----------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.TokenAuthentication",  # first: an anonymous call is told 401 + Bearer
        "portal.api.authentication.BrowserSession",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("PORTAL_API_TOKEN_RATE", "1200/min"),
        "session": env("PORTAL_API_SESSION_RATE", "1200/min"),
        "anonymous": env("PORTAL_API_ANONYMOUS_RATE", "60/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.NewestFirst",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.problems.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cloud environments portal API",
    "DESCRIPTION": "Everything the portal's pages do, for scripts: the same services and permission checks. "
    "Authenticate with a personal access token (Authorization: Bearer pat_…). Errors are RFC 9457 problem "
    "details with JSON pointers to the values refused.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Enums of fields that share a name ("status", "kind", "outcome") get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "ResourceKindEnum": "portal.catalog.models.ResourceKind",
        "RequestKindEnum": "portal.onboarding.models.RequestKind",
        "RequestStatusEnum": "portal.onboarding.models.RequestStatus",
        "ItemStatusEnum": "portal.onboarding.models.RequestItem.Status",
        "ChangeStatusEnum": "portal.onboarding.models.ResourceChange.Status",
        "StageStatusEnum": "portal.approvals.models.ApprovalStage.Status",
        "DecisionStatusEnum": "portal.approvals.models.Decision.Status",
        "DecisionOutcomeEnum": "portal.approvals.models.Decision.Outcome",
        "RunStatusEnum": "provisioning.models.RunStatus",
        "ResourceStatusEnum": "portal.inventory.models.ProvisionedResource.Status",
    },
}
# The cache (API throttling) is shared by every web process: Redis when there is one.
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL"),
                          "KEY_PREFIX": "portal-cache"}}

# --- Celery: Redis whenever REDIS_URL is set; otherwise a broker in files (no server) ----------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
else:
    _queue_dir = DATA_DIR / "broker"
    # The host is only a name here (the queues are the folders below); with none, Kombu warns
    # "No hostname was supplied" at every start, which reads like an error.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(DATA_DIR / "broker-control"),
    }
    for _folder in CELERY_BROKER_TRANSPORT_OPTIONS.values():
        Path(_folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True  # run status lives in the database, not in a result backend
# Queues per kind of work, one worker each (provisioning/workers.py): applies/destroys ("runs") never hold
# up plan previews and drift checks ("previews"), nor light work ("default": webhooks, directory sync,
# version checks, expiry, SLA checks and their e-mails, the reaper). A run's task names its own queue
# (plans and drift checks: "previews"); every other task is routed here (tests/core/test_queues.py).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "provisioning.execute_run": {"queue": "runs"},  # sent with queue=Run.queue
    "provisioning.reap_runs": {"queue": "default"},
    "approvals.check_slas": {"queue": "default"},
    "inventory.sync_team_groups": {"queue": "default"},
    "inventory.reconcile_directory_groups": {"queue": "default"},
    "inventory.check_repo_versions": {"queue": "default"},
    "onboarding.expire_resources": {"queue": "default"},  # queues destroys (on "runs"); itself light
    "onboarding.check_drift": {"queue": "default"},  # queues drift checks (on "previews"); itself light
    "notifications.deliver_webhook": {"queue": "default"},
    "utilization.collect": {"queue": "default"},  # reads CloudWatch, queues stop runs (on "runs")
    "utilization.follow_schedules": {"queue": "default"},
    "migration.remind_revisits": {"queue": "default"},
    "onboarding.purge_idempotency_keys": {"queue": "default"},
    "notifications.resend_stalled_deliveries": {"queue": "default"},
    "datasets.open_access_reviews": {"queue": "default"},
    "datasets.remind_access_reviews": {"queue": "default"},
}
# The queues /readyz expects a live worker on (provisioning/workers.py starts one per queue).
PORTAL_WORKER_QUEUES = env("PORTAL_WORKER_QUEUES", "runs,previews,default")
# Long jobs: a task is acknowledged only when it ends, and given back if its worker dies; a run
# is claimed by a conditional update, so a task delivered twice does nothing the second time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Soft limit: SoftTimeLimitExceeded in the task interrupts Terraform's process group (it saves its
# state) and fails the run; the hard limit leaves time for that. Prefork pool only (not solo).
# The broker's visibility timeout must exceed the hard limit plus the longest retry backoff,
# or a long run's task is handed to a second worker (checked: provisioning.E001).
CELERY_TASK_SOFT_TIME_LIMIT = 3 * 3600
CELERY_TASK_TIME_LIMIT = 3 * 3600 + 300
# Graceful shutdown: a warm shutdown (TERM) waits for running runs; a cold one still gives them
# this long before the worker exits (Terraform is then interrupted and the reaper retries).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 60.0
# On a lost broker connection keep running: the run is ours in the database, and a redelivered
# task finds it claimed.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Provisioning ----------------------------------------------------------------------------
PORTAL_CLOUD = env("PORTAL_CLOUD", "sandbox")  # "sandbox" (moto on loopback) or "aws"
PORTAL_SANDBOX_URL = env("PORTAL_SANDBOX_URL", "http://127.0.0.1:5055")
PORTAL_AWS_REGION = env("PORTAL_AWS_REGION", "us-east-1")
TERRAFORM_BIN = env("TERRAFORM_BIN", "terraform")
TERRAFORM_PROVIDER_MIRROR = env("TERRAFORM_PROVIDER_MIRROR", "/opt/tf-plugins")
TERRAFORM_MODULES_DIR = Path(env("TERRAFORM_MODULES_DIR", str(BASE_DIR / "terraform" / "modules")))
TERRAFORM_WORKSPACES_DIR = DATA_DIR / "workspaces"
# "pg" keeps state in PostgreSQL (advisory locks free themselves when a worker dies).
TERRAFORM_STATE_BACKEND = env(
    "TERRAFORM_STATE_BACKEND",
    "pg" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "local",
)
# The pg backend's database (postgres:// URL); empty: the portal's own database.
TERRAFORM_STATE_PG_URL = env("TERRAFORM_STATE_PG_URL", "")
RUN_HEARTBEAT_SECONDS = float(env("RUN_HEARTBEAT_SECONDS", "5"))
# The reaper calls a run lost after this much heartbeat silence, and resends the task of a run
# queued this long (a lost broker message) — see provisioning/reaper.py.
RUN_STALE_SECONDS = float(env("RUN_STALE_SECONDS", "90"))
# A queued run that may start is sent again after this long when its queue is empty (its message was
# lost, e.g. by a broker restart), and after RUN_QUEUE_RESEND_SECONDS whatever the queue holds.
RUN_QUEUE_STALE_SECONDS = float(env("RUN_QUEUE_STALE_SECONDS", "45"))
RUN_QUEUE_RESEND_SECONDS = float(env("RUN_QUEUE_RESEND_SECONDS", "600"))
# A worker whose database went away keeps Terraform going and records the run's end once the database
# is back, waiting at most this long (then the reaper settles the run).
RUN_DB_WAIT_SECONDS = float(env("RUN_DB_WAIT_SECONDS", "600"))
RUN_REAP_INTERVAL_SECONDS = float(env("RUN_REAP_INTERVAL_SECONDS", "30"))
# Transient failures (throttling, network, state lock, worker lost) are retried as new attempts.
RUN_MAX_ATTEMPTS = int(env("RUN_MAX_ATTEMPTS", "3"))
RUN_RETRY_BASE_SECONDS = float(env("RUN_RETRY_BASE_SECONDS", "30"))  # doubled per attempt
RUN_RETRY_MAX_SECONDS = float(env("RUN_RETRY_MAX_SECONDS", "900"))
# Stopping a run (cancel, time limit): SIGINT to Terraform's group, SIGKILL after this grace.
RUN_STOP_GRACE_SECONDS = float(env("RUN_STOP_GRACE_SECONDS", "30"))
TERRAFORM_LOCK_TIMEOUT = env("TERRAFORM_LOCK_TIMEOUT", "60s")  # wait for a lock a stopping run holds
# Admin setting: keep what a failed request created (for debugging) instead of destroying it.
PORTAL_KEEP_FAILED_RESOURCES = env_bool("PORTAL_KEEP_FAILED_RESOURCES", False)
# Fernet key for sensitive outputs at rest; empty: derived from SECRET_KEY (portal.core.secrets).
PORTAL_SECRETS_KEY = env("PORTAL_SECRETS_KEY", "")

# The steering team that approves every request (more routing rules in approvals).
PORTAL_DEFAULT_STEERING_TEAM = env("PORTAL_DEFAULT_STEERING_TEAM", "mlops-enablement")
# The steering team that runs migrations (portal.migration): sees every team's data products, reviews triages.
PORTAL_MIGRATION_TEAM = env("PORTAL_MIGRATION_TEAM", "mlops-enablement")
# Datasets (portal.datasets): the steering team that reviews every grant of confidential or restricted data,
# and the longest grant a team may ask for (days; extensions are requests too).
PORTAL_INFOSEC_TEAM = env("PORTAL_INFOSEC_TEAM", "infosec")
PORTAL_DATASET_GRANT_MAX_DAYS = int(env("PORTAL_DATASET_GRANT_MAX_DAYS", "180"))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@localhost")

# --- Approvals: links in e-mails, risk markers, SLAs, webhooks, the periodic SLA check ----------
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")
PORTAL_HIGH_COST_MONTHLY = int(env("PORTAL_HIGH_COST_MONTHLY", "2000"))  # marker; seeds the Finance rule
PORTAL_SLA_DUE_SOON_FRACTION = 0.25  # a stage is "due soon" in the last quarter of its SLA
PORTAL_WEBHOOK_TIMEOUT_SECONDS = float(env("PORTAL_WEBHOOK_TIMEOUT_SECONDS", "5"))
PORTAL_WEBHOOK_RETRY_SECONDS = float(env("PORTAL_WEBHOOK_RETRY_SECONDS", "30"))  # doubled per attempt
PORTAL_WEBHOOK_MAX_ATTEMPTS = int(env("PORTAL_WEBHOOK_MAX_ATTEMPTS", "5"))  # team webhooks: then "failed"
# A pending delivery this long past due lost its task (broker or worker gone): it is sent again.
PORTAL_WEBHOOK_STALL_SECONDS = float(env("PORTAL_WEBHOOK_STALL_SECONDS", "600"))
# Team webhooks may post to loopback/private addresses (an internal chat server); off: only public hosts.
PORTAL_WEBHOOK_ALLOW_PRIVATE = env_bool("PORTAL_WEBHOOK_ALLOW_PRIVATE", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "approvals-check-slas": {"task": "approvals.check_slas", "schedule": 15 * 60},
}
# Machines' measured use (CloudWatch or the sandbox's simulated load), idle flags and stops, office hours.
PORTAL_UTILIZATION_SECONDS = float(env("PORTAL_UTILIZATION_SECONDS", "900"))
PORTAL_KEEP_RUNNING_MAX_DAYS = 30
PORTAL_OFFICE_TIMEZONE = env("PORTAL_OFFICE_TIMEZONE", "UTC")
PORTAL_OFFICE_HOURS = (int(env("PORTAL_OFFICE_START_HOUR", "8")), int(env("PORTAL_OFFICE_END_HOUR", "19")))
CELERY_BEAT_SCHEDULE["utilization-collect"] = {"task": "utilization.collect", "schedule": PORTAL_UTILIZATION_SECONDS}
CELERY_BEAT_SCHEDULE["utilization-schedules"] = {"task": "utilization.follow_schedules", "schedule": 300}
CELERY_BEAT_SCHEDULE["migration-remind-revisits"] = {  # retained data products whose revisit date has come
    "task": "migration.remind_revisits", "schedule": 6 * 60 * 60,  # idempotent: each product is reminded once
}
CELERY_BEAT_SCHEDULE["datasets-open-access-reviews"] = {  # idempotent: one open review per dataset at a time
    "task": "datasets.open_access_reviews", "schedule": 24 * 60 * 60,
}
CELERY_BEAT_SCHEDULE["datasets-remind-access-reviews"] = {  # idempotent: each review is reminded once, and once late
    "task": "datasets.remind_access_reviews", "schedule": 6 * 60 * 60,
}
CELERY_BEAT_SCHEDULE["provisioning-reap-runs"] = {  # see RUN_STALE_SECONDS above
    "task": "provisioning.reap_runs", "schedule": RUN_REAP_INTERVAL_SECONDS,
}

# Logs: one line per record on stderr, "json" (python-json-logger; the production default) or "text", each with
# the correlation id (X-Request-ID) of the request or task it belongs to. python-terraform stays at WARNING.
PORTAL_LOG_FORMAT = env("PORTAL_LOG_FORMAT", "text")
LOGGING = logging_settings(PORTAL_LOG_FORMAT, env("LOG_LEVEL", "INFO"))

# --- Health and metrics (portal.monitoring) ---------------------------------------------------
# /healthz: the process answers. /readyz: database, migrations, broker and, for each queue in
# PORTAL_WORKER_QUEUES, a worker seen within PORTAL_READY_WORKER_SECONDS (workers write a heartbeat every
# PORTAL_WORKER_HEARTBEAT_SECONDS); /readyz?scope=web: database and migrations only.
PORTAL_WORKER_HEARTBEAT_SECONDS = float(env("PORTAL_WORKER_HEARTBEAT_SECONDS", "10"))
PORTAL_READY_WORKER_SECONDS = float(env("PORTAL_READY_WORKER_SECONDS", "60"))
PORTAL_READY_TIMEOUT_SECONDS = float(env("PORTAL_READY_TIMEOUT_SECONDS", "3"))  # per check of a service
# /metrics (Prometheus) answers only "Authorization: Bearer <PORTAL_METRICS_TOKEN>"; unset: 404. Several
# gunicorn processes: set PROMETHEUS_MULTIPROC_DIR (an empty directory at start) and the HTTP figures of all
# processes are merged; the portal's own figures are read from the database at each scrape.
PORTAL_METRICS_TOKEN = env("PORTAL_METRICS_TOKEN", "")
if env("PROMETHEUS_MULTIPROC_DIR"):  # prometheus_client writes its per-process files there from the first query on
    Path(env("PROMETHEUS_MULTIPROC_DIR")).mkdir(mode=0o700, parents=True, exist_ok=True)
PROMETHEUS_EXPORT_MIGRATIONS = False  # django-prometheus would query the database at every start

# --- Repo scaffolding (the "repo" kind) -------------------------------------------------------
PORTAL_SCAFFOLDS_DIR = Path(env("PORTAL_SCAFFOLDS_DIR", str(BASE_DIR / "templates")))
PORTAL_SCAFFOLD_CACHE = Path(env("PORTAL_SCAFFOLD_CACHE", str(DATA_DIR / "scaffolds")))
PORTAL_GIT_REMOTE = env("PORTAL_GIT_REMOTE", "bare")  # bare | github | gitlab
PORTAL_GIT_ROOT = Path(env("PORTAL_GIT_ROOT", str(DATA_DIR / "git")))  # bare repos
PORTAL_GIT_PUBLIC_URL = env("PORTAL_GIT_PUBLIC_URL")  # clone URLs of bare repos: <this>/<name>.git (else file://)
# Where `manage.py runportal` serves PORTAL_GIT_ROOT read-only over git's smart HTTP: a loopback host:port,
# empty for not at all. The embedded default (local.py) makes it PORTAL_GIT_PUBLIC_URL.
PORTAL_GIT_HTTP_ADDR = env("PORTAL_GIT_HTTP_ADDR", "127.0.0.1:5056")
PORTAL_GIT_API_URL = env("PORTAL_GIT_API_URL")  # https://api.github.com or https://gitlab.example/api/v4
PORTAL_GIT_NAMESPACE = env("PORTAL_GIT_NAMESPACE")  # GitHub org or GitLab group path
PORTAL_GIT_TOKEN = env("PORTAL_GIT_TOKEN")
PORTAL_GIT_AUTHOR = ("Onboarding portal", env("PORTAL_GIT_AUTHOR_EMAIL", "portal@example.org"))
# How often workers read each repo's main to notice a merged upgrade branch (the dashboard also asks).
PORTAL_REPO_VERSION_CHECK_SECONDS = float(env("PORTAL_REPO_VERSION_CHECK_SECONDS", "900"))
CELERY_BEAT_SCHEDULE["check-repo-versions"] = {
    "task": "inventory.check_repo_versions", "schedule": PORTAL_REPO_VERSION_CHECK_SECONDS,
}

# --- Directory groups (the "directory_group" kind with the directory engine) ------------------
PORTAL_DIRECTORY = {
    "flavour": env("PORTAL_DIRECTORY_FLAVOUR", "ldap"),  # ad | ldap
    "server_uri": env("PORTAL_DIRECTORY_URI", ""),
    "bind_dn": env("PORTAL_DIRECTORY_BIND_DN", ""),
    "bind_password": env("PORTAL_DIRECTORY_BIND_PASSWORD", ""),
    "groups_base_dn": env("PORTAL_DIRECTORY_GROUPS_DN", ""),
    "users_base_dn": env("PORTAL_DIRECTORY_USERS_DN", ""),
    "placeholder_member_dn": env("PORTAL_DIRECTORY_PLACEHOLDER_DN"),
}
# Portal login with the directory's username and password (off by default): the same directory,
# groups mapped to roles in the admin (Accounts → Identity role mappings); local accounts still work.
PORTAL_LDAP_LOGIN = env_bool("PORTAL_LDAP_LOGIN", False)
PORTAL_LDAP_LOGIN_GROUPS_DN = env("PORTAL_LDAP_LOGIN_GROUPS_DN", "")  # where role groups live; default: groups DN
# The login backends (after the single sign-on section below decides what it adds).
PORTAL_GROUP_NAME_CONVENTION = env("PORTAL_GROUP_NAME_CONVENTION", "ds-{team}-{purpose}")
PORTAL_DIRECTORY_FIX_DRIFT = env_bool("PORTAL_DIRECTORY_FIX_DRIFT", False)
CELERY_BEAT_SCHEDULE["reconcile-directory-groups"] = {
    "task": "inventory.reconcile_directory_groups", "schedule": 3600.0,
}

# --- Single sign-on (OpenID Connect: authorization code + PKCE, via mozilla-django-oidc) -----------
# Off unless PORTAL_OIDC_ISSUER is set. The provider's endpoints and keys come from its discovery
# document (<issuer>/.well-known/openid-configuration), read when first needed and cached. Register the
# redirect URI <portal URL>/sso/callback/ at the provider. Claim values map to roles in the admin
# (Accounts → Identity role mappings, source "single sign-on claim value"), applied at each login.
PORTAL_OIDC_ISSUER = (env("PORTAL_OIDC_ISSUER", "") or "").rstrip("/")
PORTAL_OIDC = bool(PORTAL_OIDC_ISSUER)
PORTAL_OIDC_PROVIDER_NAME = env("PORTAL_OIDC_PROVIDER_NAME", "single sign-on")  # "Log in with <this>"
OIDC_RP_CLIENT_ID = env("PORTAL_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("PORTAL_OIDC_CLIENT_SECRET", "")  # never logged nor audited
OIDC_RP_SCOPES = env("PORTAL_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env("PORTAL_OIDC_SIGN_ALGO", "RS256")  # ID tokens signed with the provider's keys (JWKS)
OIDC_USE_PKCE = True  # S256 code challenge on every login
OIDC_USE_NONCE = True
OIDC_TIMEOUT = float(env("PORTAL_OIDC_TIMEOUT_SECONDS", "10"))  # each call to the provider
OIDC_CREATE_USER = env_bool("PORTAL_OIDC_CREATE_USERS", True)  # false: only people who already have an account
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_STORE_ACCESS_TOKEN = OIDC_STORE_ID_TOKEN = False  # the portal needs neither after the login
# Logging out of a session begun with single sign-on ends the provider's session too (its end_session_endpoint).
PORTAL_OIDC_LOGOUT = env_bool("PORTAL_OIDC_LOGOUT", True)
# How the portal authenticates at the token endpoint: client_secret_basic (the OIDC default) or client_secret_post.
OIDC_TOKEN_USE_BASIC_AUTH = env("PORTAL_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic") == "client_secret_basic"
PORTAL_OIDC_LEEWAY_SECONDS = int(env("PORTAL_OIDC_LEEWAY_SECONDS", "60"))  # clock skew allowed on exp/iat
PORTAL_OIDC_DISCOVERY_CACHE_SECONDS = int(env("PORTAL_OIDC_DISCOVERY_CACHE_SECONDS", "3600"))
PORTAL_OIDC_CLAIMS = {  # which claim holds what (nested claims by dotted path, e.g. realm_access.roles)
    "username": env("PORTAL_OIDC_USERNAME_CLAIM", "preferred_username"),
    "email": env("PORTAL_OIDC_EMAIL_CLAIM", "email"),
    "first_name": env("PORTAL_OIDC_FIRST_NAME_CLAIM", "given_name"),
    "last_name": env("PORTAL_OIDC_LAST_NAME_CLAIM", "family_name"),
}
# The claims whose values (a string or a list of strings) are matched against the role mappings.
PORTAL_OIDC_ROLE_CLAIMS = [c.strip() for c in env("PORTAL_OIDC_ROLE_CLAIMS", "groups").split(",") if c.strip()]
# The portal's own accounts' passwords (ModelBackend). Off: only single sign-on or directory logins
# work; a local password is refused by the server, not merely hidden (the backend that stays only
# loads users and their permissions).
PORTAL_LOCAL_LOGIN = env_bool("PORTAL_LOCAL_LOGIN", True)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username+address before any check
    *(["portal.accounts.backends.DirectoryLoginBackend"] if PORTAL_LDAP_LOGIN else []),
    *(["portal.accounts.single_sign_on.SingleSignOnBackend"] if PORTAL_OIDC else []),
    ("django.contrib.auth.backends.ModelBackend" if PORTAL_LOCAL_LOGIN
     else "portal.accounts.local_login.NoPasswordBackend"),  # users and permissions, no password
]
# --- end of single sign-on ------------------------------------------------------------------------

# --- Lifecycle: expiry (TTL) and change requests ----------------------------------------------
# Owners are warned this many days before a resource's expiry (each once); expired resources
# are destroyed by the hourly task (a pending extension request holds the destroy).
PORTAL_EXPIRY_WARNING_DAYS = tuple(int(d) for d in env("PORTAL_EXPIRY_WARNING_DAYS", "7,1").split(","))
PORTAL_MAX_EXTENSION_DAYS = int(env("PORTAL_MAX_EXTENSION_DAYS", "90"))
PORTAL_EXPIRY_RETRY_HOURS = 24  # after a failed expiry destroy, try again this much later
CELERY_BEAT_SCHEDULE["expire-resources"] = {"task": "onboarding.expire_resources", "schedule": 3600.0}
# An API client's Idempotency-Key answers with its first request for this many days, then is forgotten.
PORTAL_IDEMPOTENCY_KEY_DAYS = int(env("PORTAL_IDEMPOTENCY_KEY_DAYS", "7"))
CELERY_BEAT_SCHEDULE["resend-stalled-webhooks"] = {"task": "notifications.resend_stalled_deliveries", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["purge-idempotency-keys"] = {"task": "onboarding.purge_idempotency_keys", "schedule": 86400.0}

# Drift: every active Terraform resource is planned against the cloud when its last check is older
# than this (0: no periodic checks; "Check drift now" and `manage.py check_drift` still work).
PORTAL_DRIFT_CHECK_HOURS = float(env("PORTAL_DRIFT_CHECK_HOURS", "24"))
PORTAL_DRIFT_CHECKS_PER_ROUND = int(env("PORTAL_DRIFT_CHECKS_PER_ROUND", "20"))  # at most this many queued per beat
if PORTAL_DRIFT_CHECK_HOURS > 0:
    CELERY_BEAT_SCHEDULE["check-drift"] = {
        "task": "onboarding.check_drift", "schedule": min(3600.0, PORTAL_DRIFT_CHECK_HOURS * 3600),
    }
