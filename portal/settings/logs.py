"""LOGGING for every process (web, worker, beat): JSON lines (python-json-logger) or plain text, each record
with the correlation id of the request or task it belongs to (provisioning.correlation)."""

from __future__ import annotations

from pythonjsonlogger.core import RESERVED_ATTRS

FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(correlation_id)s %(message)s"
TEXT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
# Never written out as extra fields: Django attaches the request (its repr has the query string) to its
# records, the development server its time, Celery a task's arguments and return value ("data").
NOT_LOGGED = [*RESERVED_ATTRS, "request", "server_time", "data"]


def logging_settings(log_format: str, level: str) -> dict:
    if log_format not in ("json", "text"):
        raise ValueError(f"PORTAL_LOG_FORMAT must be json or text, not {log_format!r}")
    formatter = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": FIELDS,
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        "reserved_attrs": NOT_LOGGED,
    } if log_format == "json" else {"format": TEXT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation": {"()": "provisioning.correlation.CorrelationFilter"}},
        "formatters": {"portal": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "portal", "filters": ["correlation"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # python-terraform logs variable values at DEBUG: never let it.
            "python_terraform": {"level": "WARNING"},
            # Celery's and Django's loggers go to the root's handler (Celery's own setup is replaced, see
            # provisioning.worker_hooks).
            "celery": {"level": level},
        },
    }
