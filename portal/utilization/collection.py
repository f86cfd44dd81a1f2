"""Reading machines' use from the cloud into hourly samples (a worker task, never the web process), and the
sandbox's load simulator that gives the demo one busy and one idle GPU."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.inventory.models import ProvisionedResource
from provisioning.cloud import metrics
from provisioning.cloud.sandbox import aws_client

from .models import MachineUse, UsageSample

log = logging.getLogger(__name__)
MACHINES = ("cpu_vm", "gpu_vm")
KEEP_DAYS = 30  # samples older than this are dropped
FIRST_LOOK_DAYS = 7  # how far back the first collection of a machine reads


def cloudwatch():
    sandbox = settings.PORTAL_SANDBOX_URL if settings.PORTAL_CLOUD == "sandbox" else None
    return aws_client("cloudwatch", region=settings.PORTAL_AWS_REGION, sandbox_url=sandbox)


def machines():
    return (ProvisionedResource.objects.filter(status=ProvisionedResource.Status.ACTIVE, kind__in=MACHINES)
            .select_related("item", "team", "template_version__template").order_by("pk"))


def collect_use(*, now=None, client=None) -> int:
    """Read every active machine's hourly use since its last collection; returns how many samples were written.
    One machine's failure (no instance id yet, the cloud refusing) is recorded on it and does not stop the rest."""
    now, client, written = now or timezone.now(), client or cloudwatch(), 0
    for resource in machines():
        use, _ = MachineUse.objects.get_or_create(resource=resource)
        instance_id = resource.outputs.get("instance_id")
        if not isinstance(instance_id, str) or not instance_id:
            continue
        start = (use.last_collected_at - timedelta(hours=2) if use.last_collected_at
                 else now - timedelta(days=FIRST_LOOK_DAYS))
        try:
            hours = metrics.hourly_use(client, instance_id=instance_id, start=start, end=now,
                                       gpu=resource.kind == "gpu_vm")
        except Exception as error:  # botocore errors, network: recorded, retried next round
            log.warning("could not read the use of %s: %s", resource, error)
            MachineUse.objects.filter(pk=use.pk).update(last_error=str(error)[:300])
            continue
        with transaction.atomic():
            # One statement per machine: an hour seen again (the overlap with the last round) is updated.
            UsageSample.objects.bulk_create(
                [UsageSample(resource=resource, hour=hour.hour, cpu=hour.cpu, gpu=hour.gpu) for hour in hours],
                update_conflicts=True, unique_fields=["resource", "hour"], update_fields=["cpu", "gpu"])
            MachineUse.objects.filter(pk=use.pk).update(last_collected_at=now, last_error="")
        written += len(hours)
    UsageSample.objects.filter(hour__lt=now - timedelta(days=KEEP_DAYS)).delete()
    return written


def simulate_load(*, now=None, client=None) -> int:
    """Sandbox only: write a plausible hour of use for each machine — the first GPU machine (by age) idles, the
    second trains, and so on (a newcomer's first GPU VM shows up idle); a machine seen for the first time gets a
    week of history. Returns points written."""
    if settings.PORTAL_CLOUD != "sandbox":
        return 0
    now, client, written = now or timezone.now(), client or cloudwatch(), 0
    gpus = [r.pk for r in machines() if r.kind == "gpu_vm"]
    for resource in machines():
        instance_id = resource.outputs.get("instance_id")
        if not isinstance(instance_id, str) or resource.power_state == "stopped":
            continue
        idle = resource.kind == "gpu_vm" and gpus.index(resource.pk) % 2 == 0
        seen = UsageSample.objects.filter(resource=resource).exists()
        hours = [now] if seen else [now - timedelta(hours=h) for h in range(FIRST_LOOK_DAYS * 24, -1, -1)]
        rng = random.Random(resource.pk)  # noqa: S311 — a demo's noise, not a secret
        for at in hours:
            cpu = rng.uniform(1, 6) if idle else rng.uniform(35, 80)
            gpu = (rng.uniform(0, 4) if idle else rng.uniform(60, 97)) if resource.kind == "gpu_vm" else None
            metrics.put_use(client, instance_id=instance_id, at=at, cpu=cpu, gpu=gpu)
            written += 1
    return written
