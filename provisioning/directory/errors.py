"""What can go wrong talking to the directory, split by what the caller should do about it.

- ``DirectoryUnavailable``: transient (server down, refused, timed out, busy). Retry later.
- ``DirectoryError``: permanent (bad name, bad configuration, wrong password, no permission,
  schema violation). Retrying will not help; a person must act.

The two are siblings under ``DirectoryProblem`` on purpose: ``except DirectoryError`` never
swallows an outage that should have been retried.
"""

from __future__ import annotations


class DirectoryProblem(Exception):
    """Base of everything this package raises."""


class DirectoryUnavailable(DirectoryProblem):
    """The directory could not be reached or did not answer in time. Transient: retry."""


class DirectoryError(DirectoryProblem):
    """The directory refused the operation, or the request itself is wrong. Permanent."""


class InvalidDirectoryConfig(DirectoryError, ValueError):
    """The directory settings are unusable (set by an admin)."""


class InvalidGroupName(DirectoryError, ValueError):
    """A group name (or naming convention) breaks the rules; the message says which and why."""


class GroupNotFound(DirectoryError):
    """The group does not exist (e.g. deleted outside the portal)."""
