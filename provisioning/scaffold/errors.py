"""Errors raised by the scaffold package; messages are safe to show and to log (no secrets)."""

from __future__ import annotations


class ScaffoldError(Exception):
    """Base class: something about rendering or publishing a scaffold went wrong."""


class UnsafeScaffoldError(ScaffoldError):
    """The scaffold uses a feature that runs code (tasks, Jinja extensions, migrations)."""


class EscapingPathError(UnsafeScaffoldError):
    """A rendered file, directory or symlink would live or point outside the destination."""


class AnswersError(ScaffoldError):
    """The answers given to a scaffold are not plain data keyed by question names."""


class RenderError(ScaffoldError):
    """copier could not render the scaffold (bad ref, failed validation, ...)."""


class ScaffoldVersionError(ScaffoldError):
    """A published scaffold version already exists with different content (versions are immutable)."""


class DivergedRemoteError(ScaffoldError):
    """The remote branch holds a different history; we never force-push over it."""


class PushError(ScaffoldError):
    """git refused or failed a push/fetch; the message carries no credentials."""


class RemoteError(ScaffoldError):
    """A hosting API (GitHub, GitLab) answered with an error."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RemoteAuthError(RemoteError):
    """The hosting API refused our credentials (401/403)."""


class RemoteUnavailableError(RemoteError):
    """The hosting API could not be reached or answered 5xx: worth retrying later."""
