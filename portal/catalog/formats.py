"""JSON-Schema ``format`` values the portal checks, and how it checks them.

A template's schema says ``"format": "email"`` or ``"format": "git-branch"`` on a string property;
``validate_values`` then refuses at the form what provisioning would refuse later. ``email`` is
Django's e-mail validator (not jsonschema's "has an @" default); ``git-branch`` is git's own rules
(``git_refs``). jsonschema's other formats (date, ipv4, uri…) stay as they are.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from jsonschema import FormatChecker

from .git_refs import branch_name_problem

MESSAGES = {
    "email": "Enter a valid e-mail address such as ana@example.org.",
    "git-branch": "Not a valid git branch name: {reason}.",
}


class FormatRefused(ValueError):
    """A value does not have its property's format; the message says why (for the person)."""


def format_checker() -> FormatChecker:
    checker = FormatChecker()
    email = EmailValidator()

    @checker.checks("email", raises=FormatRefused)
    def is_email(value) -> bool:
        if not isinstance(value, str):
            return True
        try:
            email(value)
        except ValidationError:
            raise FormatRefused(MESSAGES["email"]) from None
        return True

    @checker.checks("git-branch", raises=FormatRefused)
    def is_git_branch(value) -> bool:
        if not isinstance(value, str):
            return True
        reason = branch_name_problem(value)
        if reason:
            raise FormatRefused(MESSAGES["git-branch"].format(reason=reason))
        return True

    return checker


FORMAT_CHECKER = format_checker()
KNOWN_FORMATS = frozenset(FORMAT_CHECKER.checkers)
