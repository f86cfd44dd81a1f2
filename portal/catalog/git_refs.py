"""Git's rules for a branch name, as ``git check-ref-format --branch`` applies them.

The rules are those of git-check-ref-format(1) applied to ``refs/heads/<name>``, plus the two
``--branch`` adds: a branch never starts with a dash, and is never called ``HEAD``. Checked here so
the form refuses at once what ``git`` (or the CI service behind it) would refuse at provisioning;
``tests/catalog/test_git_refs.py`` compares this with the real ``git check-ref-format`` on a corpus.
"""

from __future__ import annotations

# Anywhere in a ref: ASCII control characters, space, and : ? [ \ ^ ~ * (``*`` only in refspec patterns).
_BAD_CHARACTERS = frozenset(" :?[\\^~*") | frozenset(chr(c) for c in range(0x20)) | {"\x7f"}


def branch_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid git branch name, or None when it is."""
    if not name:
        return "a branch needs a name"
    if name.startswith("-"):
        return "it must not start with a dash"
    if name == "HEAD":
        return "HEAD is not a branch name"
    return _refname_problem(f"refs/heads/{name}")


def _refname_problem(refname: str) -> str | None:
    bad = sorted({c for c in refname if c in _BAD_CHARACTERS})
    if bad:
        shown = ", ".join("a space" if c == " " else repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
        return f"it must not contain {shown}"
    if ".." in refname:
        return "it must not contain two dots in a row (..)"
    if "@{" in refname:
        return "it must not contain @{"
    if refname.endswith("/"):
        return "it must not end with a slash"
    if refname.endswith("."):
        return "it must not end with a dot"
    for component in refname.split("/"):
        if not component:
            return "it must not start with a slash nor hold two slashes in a row"
        if component.startswith("."):
            return "no part between slashes may start with a dot"
        if component.endswith(".lock"):
            return "no part between slashes may end with .lock"
    return None
