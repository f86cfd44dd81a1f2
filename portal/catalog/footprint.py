"""What an item holds against a team's quota: GPUs, virtual machines, clusters."""

from __future__ import annotations

from dataclasses import dataclass

from .instance_types import INSTANCE_TYPES
from .models import ResourceKind


@dataclass(frozen=True)
class Footprint:
    gpus: int = 0
    vms: int = 0
    clusters: int = 0

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(self.gpus + other.gpus, self.vms + other.vms, self.clusters + other.clusters)


def gpus_of(instance_type) -> int:
    spec = INSTANCE_TYPES.get(instance_type) if isinstance(instance_type, str) else None
    return spec.gpus if spec else 0


def footprint_of(*, kind: str, values: dict) -> Footprint:
    """A VM counts once; a cluster's GPUs count at the GPU node group's maximum size."""
    if kind == ResourceKind.CPU_VM:
        return Footprint(vms=1)
    if kind == ResourceKind.GPU_VM:
        return Footprint(vms=1, gpus=gpus_of(values.get("instance_type")))
    if kind == ResourceKind.CLUSTER:
        gpus = 0
        if values.get("gpu_enabled") is True:
            types = values.get("gpu_instance_types") or []
            per_node = max((gpus_of(t) for t in types), default=0) if isinstance(types, list) else 0
            nodes = values.get("gpu_max_size", 0)
            gpus = per_node * nodes if isinstance(nodes, int) and not isinstance(nodes, bool) else 0
        return Footprint(clusters=1, gpus=gpus)
    return Footprint()
