import os

from celery import Celery

import provisioning.worker_hooks  # noqa: F401  (logging, correlation ids and heartbeats of workers)

from .private_files import keep_files_private

keep_files_private()  # the worker's Terraform state, plans, logs and git repos: private to its user
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
