"""Built-in templates that run code: CPU VM, GPU VM, Kubernetes cluster."""

from __future__ import annotations

from portal.catalog.instance_types import enum_labels

from .properties import (
    NAME_PROPERTY,
    PURPOSE_FOR_APPROVERS,
    PURPOSE_PROPERTY,
    SANDBOX_AMI,
    WORKLOAD_ORDER,
    WORKLOAD_PROPERTIES,
    instance_type_property,
)

CPU_VM_TYPES = ["t3.large", "t3.xlarge", "m5.xlarge", "m5.2xlarge", "c5.2xlarge", "r5.2xlarge"]
GPU_VM_TYPES = ["g4dn.xlarge", "g4dn.2xlarge", "g4dn.12xlarge", "g5.xlarge", "g5.2xlarge", "g5.12xlarge",
                "p3.2xlarge", "p3.8xlarge", "p4d.24xlarge"]
CLUSTER_CPU_TYPES = ["m5.xlarge", "m5.2xlarge", "m6i.xlarge", "m6i.2xlarge", "c5.2xlarge", "r5.2xlarge"]
CLUSTER_GPU_TYPES = ["g4dn.xlarge", "g5.xlarge", "g5.2xlarge", "p3.2xlarge"]


def _vm(types: list[str], default: str, disk: tuple[int, int, int]) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "instance_type", "disk_size_gb", "purpose"],
        "x-order": ["name", "instance_type", "disk_size_gb", "purpose", *WORKLOAD_ORDER],
        "properties": {
            "name": NAME_PROPERTY,
            "instance_type": instance_type_property("Instance type", types, default),
            "disk_size_gb": {"type": "integer", "title": "Disk size (GiB)", "minimum": disk[0],
                             "maximum": disk[1], "default": disk[2]},
            "purpose": PURPOSE_PROPERTY,
            **WORKLOAD_PROPERTIES,
        },
    }


def _size(title: str, low: int, high: int, default: int) -> dict:
    return {"type": "integer", "title": title, "minimum": low, "maximum": high, "default": default}


CLUSTER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "cpu_instance_types", "cpu_min_size", "cpu_desired_size", "cpu_max_size",
                 "gpu_enabled", "node_disk_size_gb", "purpose"],
    "x-order": ["name", "cpu_instance_types", "cpu_min_size", "cpu_desired_size", "cpu_max_size", "gpu_enabled",
                "gpu_instance_types", "gpu_min_size", "gpu_desired_size", "gpu_max_size", "node_disk_size_gb",
                "purpose"],
    "properties": {
        "name": NAME_PROPERTY,
        "cpu_instance_types": {
            "type": "array", "title": "CPU node types", "description": "The first one is preferred.",
            "items": {"type": "string", "enum": CLUSTER_CPU_TYPES}, "minItems": 1, "maxItems": 3,
            "uniqueItems": True, "default": ["m5.xlarge"], "x-enum-labels": enum_labels(CLUSTER_CPU_TYPES),
        },
        "cpu_min_size": _size("CPU nodes: minimum", 1, 10, 1),
        "cpu_desired_size": _size("CPU nodes: desired", 1, 20, 2),
        "cpu_max_size": _size("CPU nodes: maximum", 1, 20, 3),
        "gpu_enabled": {"type": "boolean", "title": "Add a GPU node group", "default": False,
                        "description": "Tainted so only GPU pods land there; it may scale to zero."},
        "gpu_instance_types": {
            "type": "array", "title": "GPU node types", "items": {"type": "string", "enum": CLUSTER_GPU_TYPES},
            "minItems": 1, "maxItems": 2, "uniqueItems": True, "default": ["g5.xlarge"],
            "x-enum-labels": enum_labels(CLUSTER_GPU_TYPES),
        },
        "gpu_min_size": _size("GPU nodes: minimum", 0, 4, 0),
        "gpu_desired_size": _size("GPU nodes: desired", 0, 8, 1),
        "gpu_max_size": _size("GPU nodes: maximum", 1, 8, 1),
        "node_disk_size_gb": _size("Node disk size (GiB)", 20, 1000, 50),
        "purpose": PURPOSE_FOR_APPROVERS,
    },
    # GPU node-group sizes are asked (and required) only when the GPU node group is wanted.
    "allOf": [{
        "if": {"properties": {"gpu_enabled": {"const": True}}, "required": ["gpu_enabled"]},
        "then": {"required": ["gpu_instance_types", "gpu_min_size", "gpu_desired_size", "gpu_max_size"]},
    }],
    "x-ascending": [["cpu_min_size", "cpu_desired_size", "cpu_max_size"],
                    ["gpu_min_size", "gpu_desired_size", "gpu_max_size"]],
}

MACHINES = [
    {
        "slug": "cpu-vm", "kind": "cpu_vm", "name": "CPU virtual machine", "engine": "terraform",
        "description": "One EC2 machine for notebooks, feature engineering and CPU training.",
        "module": "cpu_vm", "fixed_values": {"ami": SANDBOX_AMI},
        "schema": _vm(CPU_VM_TYPES, "t3.large", (20, 2000, 50)),
    },
    {
        "slug": "gpu-vm", "kind": "gpu_vm", "name": "GPU virtual machine", "engine": "terraform",
        "description": "One EC2 GPU machine (NVIDIA T4, A10G, V100 or A100) for deep-learning training "
                       "and inference.",
        "module": "gpu_vm", "fixed_values": {"ami": SANDBOX_AMI},
        "default_lifetime_days": 30,  # GPUs are dear: they expire unless the team asks for more time
        "schema": _vm(GPU_VM_TYPES, "g4dn.xlarge", (50, 4000, 200)),
    },
    {
        "slug": "eks-cluster", "kind": "cluster", "name": "Kubernetes cluster (EKS)", "engine": "terraform",
        "description": "An EKS cluster in its own VPC with a CPU node group and, if you want, a GPU node group.",
        "module": "cluster", "fixed_values": {"kubernetes_version": "1.31", "vpc_cidr": "10.20.0.0/16"},
        "schema": CLUSTER_SCHEMA,
    },
]
