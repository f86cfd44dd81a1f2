"""Right-sizing from measured use: pure functions over hourly samples (no Django).

A machine that averaged little for the whole window gets the cheapest type the template offers with the same kind
of accelerator that still has the vCPUs for its measured peak and at least half its memory (memory is not
measured), and a GPU machine with nothing smaller a note that a CPU would do; one pinned near 100 % gets the next
larger. The advice names the saving (or the extra cost) a month at list prices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.catalog.instance_types import INSTANCE_TYPES
from portal.catalog.sizing import HOURS_PER_MONTH

LOW_AVERAGE, LOW_PEAK = 20.0, 40.0  # under-used: average and p95 below these
HIGH_PEAK = 90.0  # starved: p95 at or above this
MIN_HOURS = 72  # at least three days of data before any advice


@dataclass(frozen=True)
class SizingAdvice:
    direction: str  # "smaller" or "larger"
    current: str
    suggested: str | None
    message: str
    monthly_change: Decimal  # negative: a saving


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (0 < pct <= 100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def _monthly(name: str, prices: Mapping[str, Decimal]) -> Decimal:
    return (prices.get(name) or INSTANCE_TYPES[name].hourly_usd) * HOURS_PER_MONTH


def advise_from_use(*, current: str, offered: Sequence[str], cpu: Sequence[float], gpu: Sequence[float],
                    prices: Mapping[str, Decimal] | None = None, days: int = 7) -> SizingAdvice | None:
    prices = prices or {}
    chosen = INSTANCE_TYPES.get(current)
    if chosen is None or len(cpu) < MIN_HOURS:
        return None
    cpu_avg, cpu_p95 = sum(cpu) / len(cpu), percentile(cpu, 95)
    gpu_avg = sum(gpu) / len(gpu) if gpu else None
    gpu_p95 = percentile(gpu, 95) if gpu else None
    same_kind = sorted((INSTANCE_TYPES[n] for n in offered if n in INSTANCE_TYPES
                        and bool(INSTANCE_TYPES[n].gpus) == bool(chosen.gpus)), key=lambda t: _monthly(t.name, prices))
    cost = _monthly(current, prices)
    measured = (f"averaged {gpu_avg:.0f} % GPU and {cpu_avg:.0f} % CPU" if gpu_avg is not None
                else f"averaged {cpu_avg:.0f} % CPU (p95 {cpu_p95:.0f} %)") + f" over {len(cpu) // 24 or 1} days"
    busy = max(cpu_p95, gpu_p95 or 0)
    if busy >= HIGH_PEAK:
        larger = [t for t in same_kind if _monthly(t.name, prices) > cost]
        if not larger:
            return SizingAdvice("larger", current, None, f"{current} {measured} and peaks near 100 %; no larger type "
                                "is offered here: split the work or ask for a cluster.", Decimal(0))
        step = larger[0]
        extra = _monthly(step.name, prices) - cost
        return SizingAdvice("larger", current, step.name, f"{current} {measured} and peaks near 100 % (starved): "
                            f"{step.name} ({step.vcpus} vCPUs, {step.memory_gib} GiB) would cost ${extra:,.0f} a month "
                            "more and shorten the work.", extra)
    low_gpu = gpu_avg is None or (gpu_avg < LOW_AVERAGE / 2 and (gpu_p95 or 0) < LOW_PEAK)
    if cpu_avg < LOW_AVERAGE and cpu_p95 < LOW_PEAK and low_gpu:
        # Enough vCPUs for the measured peak at 60 % load; memory is not measured, so never less than half of it.
        vcpus = max(1.0, chosen.vcpus * cpu_p95 / 100 / 0.6)
        smaller = [t for t in same_kind if _monthly(t.name, prices) < cost and t.vcpus >= vcpus
                   and t.memory_gib * 2 >= chosen.memory_gib and t.gpus >= min(chosen.gpus, 1)]
        if smaller:
            step = smaller[0]  # the cheapest that fits
            saving = cost - _monthly(step.name, prices)
            return SizingAdvice("smaller", current, step.name, f"{current} {measured}: {step.name} would do and "
                                f"save ${saving:,.0f} a month.", -saving)
        if chosen.gpus:
            return SizingAdvice("smaller", current, None, f"{current} {measured}: the GPU is barely used — a CPU "
                                "machine (e.g. t3.large) would do; request a CPU VM and decommission this one.",
                                Decimal(0))
    return None
