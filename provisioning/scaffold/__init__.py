"""Render copier scaffolds safely and publish/upgrade them as git repos. No Django in here.

Flow: ``materialise_scaffold`` (templates/<scaffold> at version N -> tag vN of a cached repo) ->
``render_scaffold`` -> ``publish_repo`` on a ``GitRemote``; later ``upgrade_repo`` to a newer tag, and
``branch_version`` to learn which version ``main`` is on once the team merged the upgrade.
"""

from .answers import ScaffoldVersion, repo_version
from .errors import (
    AnswersError,
    DivergedRemoteError,
    EscapingPathError,
    PushError,
    RemoteAuthError,
    RemoteError,
    RemoteUnavailableError,
    RenderError,
    ScaffoldError,
    ScaffoldVersionError,
    UnsafeScaffoldError,
)
from .publishing import PublishResult, publish_repo
from .remotes import BareDirectoryRemote, GitHubRemote, GitLabRemote, GitRemote, RepoInfo
from .rendering import render_scaffold
from .sources import ScaffoldSource, cached_scaffold, materialise_frozen, materialise_scaffold, read_scaffold
from .tracking import BranchVersion, branch_head, branch_version
from .upgrades import UpgradeResult, upgrade_repo

__all__ = [
    "AnswersError",
    "BareDirectoryRemote",
    "BranchVersion",
    "DivergedRemoteError",
    "EscapingPathError",
    "GitHubRemote",
    "GitLabRemote",
    "GitRemote",
    "PublishResult",
    "PushError",
    "RemoteAuthError",
    "RemoteError",
    "RemoteUnavailableError",
    "RenderError",
    "RepoInfo",
    "ScaffoldError",
    "ScaffoldSource",
    "ScaffoldVersion",
    "ScaffoldVersionError",
    "UnsafeScaffoldError",
    "UpgradeResult",
    "branch_head",
    "branch_version",
    "cached_scaffold",
    "materialise_frozen",
    "materialise_scaffold",
    "read_scaffold",
    "publish_repo",
    "render_scaffold",
    "repo_version",
    "upgrade_repo",
]
