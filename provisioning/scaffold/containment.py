"""Checks that a directory tree stays inside itself: no symlink (or symlinked parent) leads out."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EscapingPathError


def find_escapes(root: Path) -> list[str]:
    """Relative paths under ``root`` that are symlinks resolving outside ``root`` (dangling ones too).

    The walk never follows symlinks, so a linked directory is judged by its link, not its content.
    """
    real_root = Path(os.path.realpath(root))
    escapes: list[str] = []
    for dirpath, dirnames, filenames in os.walk(real_root, followlinks=False):
        for name in (*dirnames, *filenames):
            path = Path(dirpath, name)
            if not path.is_symlink():
                continue
            target = Path(os.path.realpath(path))
            if target != real_root and not target.is_relative_to(real_root) or not target.exists():
                escapes.append(path.relative_to(real_root).as_posix())
    return sorted(escapes)


def assert_contained(root: Path, *, what: str) -> None:
    """Raise :class:`EscapingPathError` when ``root`` is a symlink or holds links that lead outside it."""
    if Path(root).is_symlink():
        raise EscapingPathError(f"{what} {root} is itself a symlink; refusing to use it")
    escapes = find_escapes(root)
    if escapes:
        listed = ", ".join(escapes[:10])
        raise EscapingPathError(
            f"{what} contains symlinks that point outside it (or nowhere): {listed}; refusing to use it"
        )
