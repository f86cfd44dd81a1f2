"""Right-sizing advice from what the requester says about the workload. Shown, never enforced.

Pure functions, no Django: ``advise`` takes the template's kind, the values being filled in, the
instance types the template offers and (optionally) hourly prices by type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .instance_types import CPU_TYPES, GPU_TYPES, INSTANCE_TYPES, InstanceType

DEEP_LEARNING = {"pytorch", "tensorflow"}
CPU_BOUND = {"scikit-learn", "xgboost", "pandas", "spark"}
FRAMEWORK_NAMES = {"scikit-learn": "scikit-learn", "xgboost": "XGBoost/LightGBM", "pandas": "pandas",
                   "spark": "Spark", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}
HOURS_PER_MONTH = Decimal(730)
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


@dataclass(frozen=True)
class Advice:
    level: str  # "warning": likely wrong for the workload; "info": could be cheaper or simpler
    message: str
    suggested_type: str | None = None


def memory_needed_gib(data_gb, framework, stage) -> int:
    """Working memory for the data: in-memory frames hold about twice the data while features are
    built or a model is trained; deep-learning loaders stream batches, so 16 GiB usually suffice."""
    if not isinstance(data_gb, int | float) or isinstance(data_gb, bool) or data_gb <= 0:
        return 0
    if framework in DEEP_LEARNING:
        return 16
    factor = 1 if stage == "inference" or framework == "spark" else 2
    return math.ceil(data_gb * factor)


def advise(*, kind: str, values: dict, offered: list[str], prices: Mapping[str, Decimal] | None = None) -> list[Advice]:
    framework, stage = values.get("workload_framework"), values.get("workload_stage")
    data_gb, hours = values.get("workload_data_gb"), values.get("workload_hours_per_week")
    if kind not in ("cpu_vm", "gpu_vm") or all(v is None for v in (framework, stage, data_gb, hours)):
        return []
    prices = prices or {}

    def monthly(t: InstanceType) -> Decimal:
        return (prices.get(t.name) or t.hourly_usd) * HOURS_PER_MONTH

    def cheapest(candidates, need: int) -> InstanceType | None:
        fitting = [t for t in candidates if t.memory_gib >= need]
        return min(fitting, key=monthly, default=None)

    chosen = INSTANCE_TYPES.get(values.get("instance_type"))
    need = memory_needed_gib(data_gb, framework, stage)
    own = [INSTANCE_TYPES[n] for n in offered if n in INSTANCE_TYPES]
    advice: list[Advice] = []
    big_boosting = framework == "xgboost" and isinstance(data_gb, int | float) and data_gb >= 50
    if kind == "gpu_vm" and framework in CPU_BOUND and not big_boosting:
        cpu = cheapest(CPU_TYPES, need)
        text = (f"{FRAMEWORK_NAMES[framework]} " + ("trains well on CPUs at this size" if framework == "xgboost"
                                                    else "does not use a GPU") + ", so the GPU would sit idle.")
        if cpu and chosen:
            text += (f" A CPU machine such as {cpu.name} ({cpu.memory_gib} GiB) costs about ${monthly(cpu):,.0f} a "
                     f"month instead of ${monthly(chosen):,.0f}: request the CPU virtual machine instead.")
        advice.append(Advice("warning", text, cpu.name if cpu else None))
    if kind == "cpu_vm" and framework in DEEP_LEARNING and stage == "training":
        gpu = cheapest(GPU_TYPES, 0)
        advice.append(Advice("warning", f"Training {FRAMEWORK_NAMES[framework]} models on CPUs is many times slower "
                             f"than on a GPU. Consider the GPU virtual machine: {gpu.name} ({gpu.gpu_model}) costs "
                             f"about ${monthly(gpu):,.0f} a month.", gpu.name))
    if chosen and need > chosen.memory_gib:
        fit = cheapest(own, need)
        tail = (f" Consider {fit.name} ({fit.memory_gib} GiB)." if fit else
                " No type offered here is that large: process the data in chunks, or ask for a cluster.")
        advice.append(Advice("warning", f"{data_gb} GB of data likely needs about {need} GiB of memory; "
                             f"{chosen.name} has {chosen.memory_gib} GiB.{tail}", fit.name if fit else None))
    elif chosen and need:
        fit = cheapest([t for t in own if bool(t.gpus) == bool(chosen.gpus)], need)
        if fit and monthly(fit) < monthly(chosen) and chosen.memory_gib >= 4 * max(need, 8):
            advice.append(Advice("info", f"{fit.name} ({fit.memory_gib} GiB) would hold {data_gb} GB of data for "
                                 f"${monthly(chosen) - monthly(fit):,.0f} a month less.", fit.name))
    if chosen and chosen.gpus > 1 and stage in ("exploration", "inference"):
        single = cheapest([t for t in own if t.gpus == 1], need)
        advice.append(Advice("info", f"{chosen.gpus} GPUs help distributed training; for {stage} one GPU is usually "
                             "enough" + (f" ({single.name})." if single else "."), single.name if single else None))
    if chosen and isinstance(hours, int) and not isinstance(hours, bool) and 0 < hours < 40:
        used = (prices.get(chosen.name) or chosen.hourly_usd) * hours * WEEKS_PER_MONTH
        advice.append(Advice("info", f"Used about {hours} h a week: stop the machine when idle. Running only those "
                             f"hours costs about ${used:,.0f} a month instead of ${monthly(chosen):,.0f}."))
    return advice
