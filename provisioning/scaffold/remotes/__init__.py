"""Git hosts behind one interface: a directory of bare repos, GitHub, GitLab; and servers for the
directory (``daemon``: git:// read/write; ``http_server``: smart HTTP read-only, imported by its path so that
``python -m`` runs it without importing it twice)."""

from .bare_directory import BareDirectoryRemote
from .base import GitRemote, RepoInfo, check_repo_name
from .daemon import GitDaemon, serving, start_git_daemon
from .github import GitHubRemote
from .gitlab import GitLabRemote, PipelineSchedule

__all__ = [
    "BareDirectoryRemote",
    "GitDaemon",
    "GitHubRemote",
    "GitLabRemote",
    "GitRemote",
    "PipelineSchedule",
    "RepoInfo",
    "check_repo_name",
    "serving",
    "start_git_daemon",
]
