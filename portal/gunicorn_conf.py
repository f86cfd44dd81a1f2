"""gunicorn's settings for the portal: ``gunicorn portal.wsgi -c portal/gunicorn_conf.py``.

The production image and ``manage.py runportal`` both serve through it. Everything that varies comes
from the environment: ``PORTAL_ADDR`` (where to listen; the image sets ``0.0.0.0:8000``),
``WEB_CONCURRENCY`` (worker processes) and ``PORTAL_WEB_THREADS`` (threads per process: the request
page polls its run's log every second, so a process serves several requests at once).
Static files are served by WhiteNoise from the same processes (no DEBUG needed).
"""

import os

wsgi_app = "portal.wsgi"
bind = [os.environ.get("PORTAL_ADDR") or "127.0.0.1:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "gthread"
threads = int(os.environ.get("PORTAL_WEB_THREADS") or 4)
timeout = 60  # a request still running after this long is a bug: its worker is replaced
graceful_timeout = 30  # a TERM lets requests in flight finish for this long
keepalive = 5
accesslog = "-"  # stdout, as a container's log collector expects
errorlog = "-"
capture_output = True  # print() and warnings of the app go to the error log, not lost
proc_name = "portal-web"
# gunicorn's heartbeat files: in memory when there is /dev/shm (a container's disk may be slow or read-only).
if os.path.isdir("/dev/shm"):  # noqa: S108 - gunicorn's documented worker_tmp_dir for containers
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# Prometheus multi-process figures (PROMETHEUS_MULTIPROC_DIR): emptied at start, a dead worker's marked.
from portal.monitoring.gunicorn_hooks import child_exit, on_starting  # noqa: E402, F401
