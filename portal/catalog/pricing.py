"""Cost estimates of requested items — a placeholder price list until the catalog's own prices land.

Only the interface is relied on elsewhere: ``estimate_item(*, version, values)`` and
``estimate_request(request)`` return a ``CostEstimate`` with ``hourly`` and ``monthly`` Decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

HOURS_PER_MONTH = Decimal("730")
# On-demand USD per hour, us-east-1 (approximate list prices).
INSTANCE_HOURLY = {
    "t3.large": "0.0832", "t3.xlarge": "0.1664", "m5.xlarge": "0.192", "m5.2xlarge": "0.384",
    "c5.2xlarge": "0.34", "r5.2xlarge": "0.504", "g5.xlarge": "1.006", "g5.2xlarge": "1.212",
    "g5.12xlarge": "5.672", "p3.2xlarge": "3.06", "ml.p3.2xlarge": "3.825",
}
KIND_HOURLY = {"cpu_vm": "0.0832", "gpu_vm": "1.006", "cluster": "0.10"}  # when no instance type is given
DISK_GB_MONTHLY = Decimal("0.08")
STORAGE_GB_MONTHLY = Decimal("0.023")


@dataclass(frozen=True)
class CostEstimate:
    hourly: Decimal
    monthly: Decimal

    def __add__(self, other: CostEstimate) -> CostEstimate:
        return CostEstimate(hourly=self.hourly + other.hourly, monthly=self.monthly + other.monthly)


ZERO = CostEstimate(hourly=Decimal("0"), monthly=Decimal("0"))


def _instance_hourly(kind: str, values: dict) -> Decimal:
    instance_type = values.get("instance_type") or values.get("node_instance_type")
    return Decimal(INSTANCE_HOURLY.get(instance_type, KIND_HOURLY.get(kind, "0")))


def estimate_item(*, version, values: dict) -> CostEstimate:
    kind = version.kind
    hourly = Decimal("0")
    monthly_extra = Decimal(str(values.get("disk_size_gb") or 0)) * DISK_GB_MONTHLY
    if kind in ("cpu_vm", "gpu_vm"):
        hourly = _instance_hourly(kind, values)
    elif kind == "cluster":
        nodes = Decimal(str(values.get("node_count") or 1))
        hourly = Decimal(KIND_HOURLY["cluster"]) + nodes * _instance_hourly("gpu_vm" if values.get(
            "gpu_enabled") else "cpu_vm", values)
    elif kind == "storage":
        monthly_extra = Decimal(str(values.get("size_gb") or 0)) * STORAGE_GB_MONTHLY
    monthly = hourly * HOURS_PER_MONTH + monthly_extra
    return CostEstimate(hourly=hourly.quantize(Decimal("0.0001")), monthly=monthly.quantize(Decimal("0.01")))


def estimate_request(request) -> CostEstimate:
    total = ZERO
    for item in request.items.select_related("template_version__template"):
        total = total + estimate_item(version=item.template_version, values=item.values)
    return total
