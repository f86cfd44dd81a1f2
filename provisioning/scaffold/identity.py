"""Who commits: the portal as author, the requester as a ``Co-authored-by:`` trailer."""

from __future__ import annotations

import re

import git

from .errors import ScaffoldError

_EMAIL = re.compile(r"^[^\s<>@]+@[^\s<>@]+$")


def actor(person: tuple[str, str]) -> git.Actor:
    name, email = person
    if not name.strip() or any(c in name for c in "<>\r\n") or not _EMAIL.match(email):
        raise ScaffoldError(f"not a usable git identity: {name!r} <{email!r}>")
    return git.Actor(name.strip(), email)


def with_trailer(message: str, co_author: tuple[str, str] | None) -> str:
    """The commit message, ending in a ``Co-authored-by:`` trailer when there is a co-author."""
    body = message.strip() or "Initial commit"
    if co_author is None:
        return body + "\n"
    person = actor(co_author)
    return f"{body}\n\nCo-authored-by: {person.name} <{person.email}>\n"
