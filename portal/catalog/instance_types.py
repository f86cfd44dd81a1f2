"""The EC2 instance types the templates offer, with their size and us-east-1 on-demand list price.

Pure data: the Price table is seeded from ``hourly_usd`` (admins may edit prices there); sizing
advice reads sizes from here. GPU counts match terraform/modules/gpu_vm's ``gpu_count_by_type``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_gib: int
    hourly_usd: Decimal  # Linux, on-demand, us-east-1 list price
    gpus: int = 0
    gpu_memory_gib: int = 0  # per GPU
    gpu_model: str = ""

    @property
    def family(self) -> str:
        return self.name.split(".")[0]


def _t(name, vcpus, memory, price, gpus=0, gpu_mem=0, model=""):
    return InstanceType(name, vcpus, memory, Decimal(price), gpus, gpu_mem, model)


INSTANCE_TYPES: dict[str, InstanceType] = {t.name: t for t in [
    _t("t3.large", 2, 8, "0.0832"),
    _t("t3.xlarge", 4, 16, "0.1664"),
    _t("m5.xlarge", 4, 16, "0.192"),
    _t("m5.2xlarge", 8, 32, "0.384"),
    _t("m6i.xlarge", 4, 16, "0.192"),
    _t("m6i.2xlarge", 8, 32, "0.384"),
    _t("c5.2xlarge", 8, 16, "0.34"),
    _t("r5.2xlarge", 8, 64, "0.504"),
    _t("g4dn.xlarge", 4, 16, "0.526", 1, 16, "NVIDIA T4"),
    _t("g4dn.2xlarge", 8, 32, "0.752", 1, 16, "NVIDIA T4"),
    _t("g4dn.12xlarge", 48, 192, "3.912", 4, 16, "NVIDIA T4"),
    _t("g5.xlarge", 4, 16, "1.006", 1, 24, "NVIDIA A10G"),
    _t("g5.2xlarge", 8, 32, "1.212", 1, 24, "NVIDIA A10G"),
    _t("g5.12xlarge", 48, 192, "5.672", 4, 24, "NVIDIA A10G"),
    _t("p3.2xlarge", 8, 61, "3.06", 1, 16, "NVIDIA V100"),
    _t("p3.8xlarge", 32, 244, "12.24", 4, 16, "NVIDIA V100"),
    _t("p4d.24xlarge", 96, 1152, "32.7726", 8, 40, "NVIDIA A100"),
]}

CPU_TYPES = [t for t in INSTANCE_TYPES.values() if not t.gpus]
GPU_TYPES = [t for t in INSTANCE_TYPES.values() if t.gpus]

# Other list prices the estimate uses: key → (unit, USD, what it is).
OTHER_PRICES: dict[str, tuple[str, Decimal, str]] = {
    "ebs:gp3": ("gb_month", Decimal("0.08"), "EBS gp3 volume storage"),
    "s3:standard": ("gb_month", Decimal("0.023"), "S3 Standard storage (first 50 TB)"),
    "eks:cluster": ("hour", Decimal("0.10"), "EKS control plane"),
    "codebuild:BUILD_GENERAL1_SMALL": ("build_minute", Decimal("0.005"), "CodeBuild general1.small, Linux"),
    "codebuild:BUILD_GENERAL1_MEDIUM": ("build_minute", Decimal("0.01"), "CodeBuild general1.medium, Linux"),
    "codebuild:BUILD_GENERAL1_LARGE": ("build_minute", Decimal("0.02"), "CodeBuild general1.large, Linux"),
}


def enum_labels(names: list[str]) -> dict[str, str]:
    """Choice labels for a schema's ``x-enum-labels``: "g5.xlarge — 4 vCPU, 16 GiB, 1× NVIDIA A10G"."""
    labels = {}
    for name in names:
        t = INSTANCE_TYPES[name]
        gpu = f", {t.gpus}× {t.gpu_model} ({t.gpu_memory_gib} GiB)" if t.gpus else ""
        labels[name] = f"{name} — {t.vcpus} vCPU, {t.memory_gib} GiB{gpu}"
    return labels
