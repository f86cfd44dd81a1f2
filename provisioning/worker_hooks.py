"""What every Celery worker (and every process that sends tasks) does beside running tasks, wired through
Celery's signals (imported by the Celery app, portal/celery.py, and by this app's ``ready``):

- logging: the worker keeps Django's LOGGING (JSON or text, PORTAL_LOG_FORMAT) instead of Celery's own;
- correlation: each task message carries the sender's correlation id in its headers, and the worker binds
  it while the task runs, so its log records carry it (``provisioning.correlation``);
- heartbeats: a thread started when the worker is ready writes ``WorkerHeartbeat`` rows
  (``provisioning.heartbeats``) until the worker shuts down.
No portal imports; Django models only inside the receivers (this module is imported before apps are ready).
"""

from __future__ import annotations

import logging
import logging.config

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun, worker_ready, worker_shutdown

from . import correlation

log = logging.getLogger(__name__)
_tokens: dict[str, object] = {}  # task id → the correlation binding to undo when it ends
_heartbeat = None


@setup_logging.connect(weak=False)
def use_django_logging(**kwargs) -> None:
    """Connected, this stops Celery from replacing the root logger's handlers with its own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect(weak=False)
def stamp_correlation_id(headers=None, **kwargs) -> None:
    if headers is not None and not headers.get(correlation.HEADER):
        current = correlation.current_id()
        if current:
            headers[correlation.HEADER] = current


@task_prerun.connect(weak=False)
def bind_correlation_id(task_id=None, task=None, **kwargs) -> None:
    sent = getattr(task.request, correlation.HEADER, None) if task is not None else None
    _tokens[task_id] = correlation.bind(sent or "")


@task_postrun.connect(weak=False)
def unbind_correlation_id(task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        correlation.unbind(token)


@worker_ready.connect(weak=False)
def start_heartbeat(sender=None, **kwargs) -> None:
    global _heartbeat
    from .heartbeats import HeartbeatThread

    queues = sorted(sender.app.amqp.queues.consume_from) if sender is not None else []
    _heartbeat = HeartbeatThread(hostname=sender.hostname, queues=queues)
    _heartbeat.start()
    log.info("worker %s heartbeats for queues %s every %.0f s", sender.hostname, ",".join(queues),
             _heartbeat.interval)


@worker_shutdown.connect(weak=False)
def stop_heartbeat(**kwargs) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()
