"""What an upgrade run of a repo gave the team, as the request page explains it: the branch to merge,
where to clone it from, the files whose conflicts they resolve first (or that there are none)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .outputs import Output

# What the scaffold engine pushes (portal/upgrade-v<M>); anything else in stored outputs is not shown
# as a command to run.
BRANCH = re.compile(r"^portal/upgrade-v[0-9]+$")
SAFE_PATH = re.compile(r"^[^\x00-\x1f]{1,500}$")


@dataclass(frozen=True)
class UpgradeReport:
    changed: bool
    branch: str = ""
    to_version: str = ""
    commit_sha: str = ""
    clone_url: str = ""
    conflicts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.changed and not self.conflicts

    @property
    def short_sha(self) -> str:
        return self.commit_sha[:12]


def upgrade_report(run, *, clone_url: str = "") -> UpgradeReport | None:
    """The report of a succeeded upgrade run (None for other runs: the page shows their outputs)."""
    if run.action != "upgrade" or run.status != "succeeded":
        return None
    outputs = run.outputs if isinstance(run.outputs, dict) else {}
    branch = str(outputs.get("upgrade_branch") or "")
    conflicts = outputs.get("conflicts") if isinstance(outputs.get("conflicts"), list) else []
    return UpgradeReport(
        changed=bool(outputs.get("changed")) and bool(BRANCH.match(branch)),
        branch=branch if BRANCH.match(branch) else "",
        to_version=str(outputs.get("to_version") or ""),
        commit_sha=str(outputs.get("commit_sha") or ""),
        clone_url=clone_url,
        conflicts=sorted(str(c) for c in conflicts if isinstance(c, str) and SAFE_PATH.match(c)),
    )


def clone_url_of(outputs: list[Output]) -> str:
    """The repo's clone URL among an item's shown outputs (never a sealed value)."""
    return next((o.value for o in outputs if o.name == "clone_url" and not o.sensitive), "")
