"""Reads for machine pages and the dashboard: recent use, idle state and its cost, advice, schedule saving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portal.catalog.estimates import offered_instance_types
from portal.catalog.pricing import estimate_item, price_table
from provisioning.models import ACTIVE_RUN_STATES, Run

from .models import MachineUse, UsageSample
from .services import policy_for
from .sizing import SizingAdvice, advise_from_use

OFFICE_FRACTION = Decimal(55) / Decimal(168)  # 11 h × 5 days of a week's 168 h


@dataclass
class MachineView:
    resource: object
    use: MachineUse
    samples: list[UsageSample]
    power: str  # running, stopped, stopping, starting
    idle_hours: int
    idle_cost: Decimal
    monthly: Decimal
    office_saving: Decimal
    advice: SizingAdvice | None
    policy: object | None

    @property
    def kept(self) -> bool:
        return bool(self.use.keep_until and self.use.keep_until > timezone.now())


def power_of(resource) -> str:
    declared = resource.power_state
    going = (Run.objects.filter(item=resource.item, purpose=Run.Purpose.POWER, status__in=ACTIVE_RUN_STATES)
             .values_list("variables", flat=True).first())
    if going is not None:
        return "stopping" if going.get("instance_state") == "stopped" else "starting"
    return declared


def machine_view(resource, *, days: int = 7) -> MachineView:
    now = timezone.now()
    use, _ = MachineUse.objects.get_or_create(resource=resource)
    samples = list(UsageSample.objects.filter(resource=resource, hour__gte=now - timedelta(days=days)).order_by("hour"))
    estimate = estimate_item(version=resource.template_version, values=resource.item.values)
    idle_hours = int((now - use.idle_since).total_seconds() // 3600) if use.idle_since else 0
    prices = {key.split(":", 1)[1]: usd for key, (_unit, usd) in price_table().items() if key.startswith("ec2:")}
    advice = advise_from_use(current=resource.item.values.get("instance_type", ""),
                             offered=offered_instance_types(resource.template_version),
                             cpu=[s.cpu for s in samples if s.cpu is not None],
                             gpu=[s.gpu for s in samples if s.gpu is not None], prices=prices)
    return MachineView(resource=resource, use=use, samples=samples, power=power_of(resource), idle_hours=idle_hours,
                       idle_cost=(estimate.hourly * idle_hours).quantize(Decimal("0.01")), monthly=estimate.monthly,
                       office_saving=(estimate.monthly * (1 - OFFICE_FRACTION)).quantize(Decimal("1")),
                       advice=advice, policy=policy_for(resource))


def use_by_resource(resources, *, days: int = 2) -> dict[int, dict]:
    """For the dashboard: each machine's recent samples and idle flag, in two queries."""
    ids = [r.pk for r in resources if r.kind in ("cpu_vm", "gpu_vm")]
    since = timezone.now() - timedelta(days=days)
    found: dict[int, dict] = {pk: {"samples": [], "idle": False, "schedule": "always"} for pk in ids}
    for sample in UsageSample.objects.filter(resource_id__in=ids, hour__gte=since).order_by("hour"):
        found[sample.resource_id]["samples"].append(sample)
    for use in MachineUse.objects.filter(resource_id__in=ids):
        found[use.resource_id].update(idle=use.idle_since is not None, schedule=use.schedule)
    return found
