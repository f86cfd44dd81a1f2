"""Team quotas: what a team holds, what a request adds, what is left.

Checked when a request is submitted (a clear refusal) and again when it is approved, inside the
approval transaction with the team's quota row locked (``select_for_update``), so two approvals
that each fit cannot together exceed the quota. Usage counts the items of approved, provisioning,
active, failed and decommissioning requests that are not destroyed (they exist, or may again).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.catalog.footprint import Footprint, footprint_of
from portal.catalog.pricing import estimate_items
from portal.core.errors import ApplicationError
from portal.teams.models import Quota

IN_USE_REQUEST_STATES = ("approved", "provisioning", "active", "failed", "decommissioning")


class QuotaExceeded(ApplicationError):
    """The request would take the team over its quota."""


@dataclass(frozen=True)
class QuotaLine:
    label: str
    limit: Decimal | int | None  # None: no limit
    used: Decimal | int
    requested: Decimal | int
    money: bool = False

    @property
    def left(self):
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.requested > 0 and self.used + self.requested > self.limit

    def _fmt(self, amount) -> str:
        return f"${amount:,.2f}" if self.money else str(amount)

    def explain(self) -> str:
        return (f"{self.label}: {self._fmt(self.left)} left of {self._fmt(self.limit)}, "
                f"this request needs {self._fmt(self.requested)}.")


@dataclass(frozen=True)
class QuotaReport:
    lines: list[QuotaLine]

    @property
    def exceeded(self) -> list[QuotaLine]:
        return [line for line in self.lines if line.exceeded]

    def message(self) -> str:
        return "This goes over your team's quota. " + " ".join(line.explain() for line in self.exceeded) + \
            " Ask an admin for a larger quota, or ask for less."


def _holdings(pairs) -> tuple[Footprint, Decimal]:
    pairs = list(pairs)
    footprint = Footprint()
    for version, values in pairs:
        footprint += footprint_of(kind=version.template.kind, values=values)
    return footprint, estimate_items(pairs).monthly


def items_in_use(team, *, exclude_request=None, exclude_items=()):
    from portal.onboarding.models import RequestItem

    items = RequestItem.objects.filter(request__team=team, request__status__in=IN_USE_REQUEST_STATES).exclude(
        status=RequestItem.Status.DESTROYED).select_related("template_version__template")
    if exclude_request is not None:
        items = items.exclude(request=exclude_request)
    if exclude_items:
        items = items.exclude(pk__in=list(exclude_items))
    return [(item.template_version, item.values) for item in items]


def quota_report(team, *, items=(), exclude_request=None, exclude_items=(),
                 quota: Quota | None = None) -> QuotaReport | None:
    """Limits, usage and what ``items`` ([(version, values)]) add; ``None`` when the team has no quota."""
    quota = quota or Quota.objects.filter(team=team).first()
    if quota is None:
        return None
    used, used_cost = _holdings(items_in_use(team, exclude_request=exclude_request, exclude_items=exclude_items))
    asked, asked_cost = _holdings(items)
    return QuotaReport([
        QuotaLine("GPUs", quota.max_gpus, used.gpus, asked.gpus),
        QuotaLine("Virtual machines", quota.max_vms, used.vms, asked.vms),
        QuotaLine("Clusters", quota.max_clusters, used.clusters, asked.clusters),
        QuotaLine("Monthly cost", quota.max_monthly_usd, used_cost.quantize(Decimal("0.01")),
                  asked_cost.quantize(Decimal("0.01")), money=True),
    ])


def quota_for(team):
    """``report(pairs)`` of ``team``'s quota with [(version, values)] added, for the estimate panel; None
    without a team."""
    if team is None:
        return None
    return lambda pairs: quota_report(team, items=pairs)


def check_quota(*, team, items, exclude_items=()) -> None:
    """At submit: refuse a request that alone would go over what is left (``exclude_items``: items
    whose values ``items`` replace, in a change request)."""
    report = quota_report(team, items=items, exclude_items=exclude_items)
    if report is not None and report.exceeded:
        raise QuotaExceeded(report.message())


def reserve_quota(*, request) -> None:
    """At approval, inside its transaction: lock the team's quota row, then count again."""
    quota = Quota.objects.select_for_update().filter(team_id=request.team_id).first()
    if quota is None:
        return
    if request.kind == "new":
        items = request.items.select_related("template_version__template")
        items, replaced = [(item.template_version, item.values) for item in items], ()
    else:  # a change of values: the new ones replace the item's current ones
        changes = [change for change in request.changes.select_related("resource__item__template_version__template")
                   if change.values is not None]
        items = [(change.item.template_version, change.values) for change in changes]
        replaced = [change.item.pk for change in changes]
    report = quota_report(request.team, items=items, exclude_request=request, exclude_items=replaced, quota=quota)
    if report.exceeded:
        raise QuotaExceeded(report.message())
