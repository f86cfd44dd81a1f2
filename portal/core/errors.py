class ApplicationError(Exception):
    """A refusal a person should read: shown as a message, never a 500."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ApplicationError):
    """The actor may not do this (checked on the server, whatever the page showed)."""


class Conflict(ApplicationError):
    """Someone else changed the object first (a lost race); reload and look again."""
