"""Cost estimates from the admin-edited price table: per item and per request, hourly and monthly.

A month is 730 hours; machines are priced as running all month (on-demand). Storage is priced per
GB-month (EBS gp3 for disks, S3 Standard for buckets) and CodeBuild per build minute; their hourly
figure is the monthly one spread over 730 hours. Values missing from a half-filled form fall back
to the schema's defaults, so the live estimate works while the form is being filled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .models import Price, ResourceKind

HOURS_PER_MONTH = Decimal(730)
ZERO = Decimal(0)


@dataclass(frozen=True)
class CostLine:
    label: str
    key: str  # the Price key, e.g. "ec2:g5.xlarge"
    quantity: Decimal
    unit: str  # Price.Unit value
    unit_usd: Decimal | None  # None: no price in the table
    hourly: Decimal
    monthly: Decimal


@dataclass
class CostEstimate:
    hourly: Decimal = ZERO
    monthly: Decimal = ZERO
    lines: list[CostLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_line(self, line: CostLine) -> None:
        self.lines.append(line)
        self.hourly += line.hourly
        self.monthly += line.monthly

    def __add__(self, other: CostEstimate) -> CostEstimate:
        return CostEstimate(self.hourly + other.hourly, self.monthly + other.monthly,
                            self.lines + other.lines, self.notes + [n for n in other.notes if n not in self.notes])


def price_table() -> dict[str, tuple[str, Decimal]]:
    return {key: (unit, Decimal(usd)) for key, unit, usd in Price.objects.values_list("key", "unit", "usd")}


def estimate_item(*, version, values) -> CostEstimate:
    """What one item of ``version`` with ``values`` costs."""
    return _estimate(version, values, price_table())


def estimate_items(pairs: Iterable[tuple[object, dict]], *, prices=None) -> CostEstimate:
    """The sum over [(version, values)], reading the price table once."""
    prices, total = prices if prices is not None else price_table(), CostEstimate()
    for version, values in pairs:
        total = total + _estimate(version, values, prices)
    return total


def _estimate(version, values, prices) -> CostEstimate:
    estimate = CostEstimate()
    read = _reader(version.parameter_schema, values if isinstance(values, dict) else {})
    name = read("name") or version.template.name

    def charge(label: str, key: str, quantity) -> None:
        quantity = _decimal(quantity)
        if quantity is None or quantity <= 0:
            return
        unit, usd = prices.get(key, (Price.Unit.HOUR, None))
        if usd is None:
            estimate.notes.append(f"No price for {key} in the price table; ask an admin to add it.")
            estimate.add_line(CostLine(f"{name}: {label}", key, quantity, unit, None, ZERO, ZERO))
            return
        if unit == Price.Unit.HOUR:
            hourly = usd * quantity
            monthly = hourly * HOURS_PER_MONTH
        else:  # per GB-month or per build minute: a monthly charge
            monthly = usd * quantity
            hourly = monthly / HOURS_PER_MONTH
        estimate.add_line(CostLine(f"{name}: {label}", key, quantity, unit, usd, hourly, monthly))

    kind = version.template.kind
    if kind in (ResourceKind.CPU_VM, ResourceKind.GPU_VM):
        charge(f"{read('instance_type')} instance", f"ec2:{read('instance_type')}", 1)
        charge(f"{read('disk_size_gb')} GB disk", "ebs:gp3", read("disk_size_gb"))
    elif kind == ResourceKind.CLUSTER:
        _charge_cluster(read, charge)
    elif kind == ResourceKind.STORAGE:
        charge(f"{read('expected_size_gb')} GB stored", "s3:standard", read("expected_size_gb"))
        if read("versioning"):
            estimate.notes.append("Old object versions are kept and billed as storage too.")
    elif kind == ResourceKind.CI_PIPELINE:
        charge(f"{read('build_minutes_per_month')} build minutes", f"codebuild:{read('compute_type')}",
               read("build_minutes_per_month"))
    return estimate


def _charge_cluster(read, charge) -> None:
    charge("EKS control plane", "eks:cluster", 1)
    cpu_types, cpu_nodes = _list(read("cpu_instance_types")), _decimal(read("cpu_desired_size")) or ZERO
    nodes = cpu_nodes
    if cpu_types:
        charge(f"{cpu_nodes} × {cpu_types[0]} CPU nodes", f"ec2:{cpu_types[0]}", cpu_nodes)
    if read("gpu_enabled") is True:
        gpu_types, gpu_nodes = _list(read("gpu_instance_types")), _decimal(read("gpu_desired_size")) or ZERO
        if gpu_types:
            charge(f"{gpu_nodes} × {gpu_types[0]} GPU nodes", f"ec2:{gpu_types[0]}", gpu_nodes)
        nodes += gpu_nodes
    disk = _decimal(read("node_disk_size_gb")) or ZERO
    charge(f"{nodes} node disks of {disk} GB", "ebs:gp3", nodes * disk)


def _reader(schema: dict, values: dict):
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}

    def read(name: str):
        return values[name] if name in values else props.get(name, {}).get("default")

    return read


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _list(value) -> list:
    return value if isinstance(value, list) else []
