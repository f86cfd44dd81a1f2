"""Engines carry out a run for one kind of item. Each takes a RunContext and returns a RunResult.

- terraform: a module under terraform/modules (VMs, clusters, storage, CI pipelines, sandbox groups)
- scaffold: a git repo rendered from a copier scaffold (provisioning/scaffold)
- directory: an AD/LDAP group (provisioning/directory)
No Django imports anywhere in this package.
"""

from __future__ import annotations

from .base import (
    Engine,
    EngineSettings,
    EngineUnavailable,
    PlanSummary,
    RunContext,
    RunResult,
    RunSpec,
    TerraformSettings,
    TransientEngineError,
)

ENGINE_NAMES = ("terraform", "scaffold", "directory")


def engine_for(name: str) -> Engine:
    if name == "terraform":
        from .terraform import TerraformEngine

        return TerraformEngine()
    if name == "scaffold":
        from .scaffold import ScaffoldEngine

        return ScaffoldEngine()
    if name == "directory":
        from .directory import DirectoryEngine

        return DirectoryEngine()
    raise EngineUnavailable(f"The '{name}' engine is not available in this installation yet.")


__all__ = ["ENGINE_NAMES", "Engine", "EngineSettings", "EngineUnavailable", "PlanSummary", "RunContext", "RunResult",
           "RunSpec", "TerraformSettings", "TransientEngineError", "engine_for"]
