"""Render a scaffold version into a directory: answers are data, scaffolds may not run code."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import copier
from copier.errors import ForbiddenPathError, UnsafeTemplateError

from .answers import check_answers
from .containment import assert_contained
from .errors import EscapingPathError, RenderError, UnsafeScaffoldError

log = logging.getLogger(__name__)

# Empty settings: the worker's own ~/.config/copier/settings.yml must not mark anything trusted.
NO_USER_SETTINGS = copier.Settings()


def render_scaffold(src: str, ref: str, answers: dict[str, Any], dest: Path | str) -> Path:
    """Render ``src`` at ``ref`` with ``answers`` into the new or empty directory ``dest``.

    Raises :class:`UnsafeScaffoldError` for scaffolds with tasks / Jinja extensions,
    :class:`EscapingPathError` when output would live or point outside ``dest``,
    :class:`RenderError` for anything else copier refuses.
    """
    data = check_answers(answers)
    dest = Path(dest)
    if dest.is_symlink() or (dest.exists() and any(dest.iterdir())):
        raise RenderError(f"destination {dest} must be a new or empty directory")
    try:
        copier.run_copy(
            src,
            dest,
            data=data,
            vcs_ref=ref,
            settings=NO_USER_SETTINGS,
            unsafe=False,
            defaults=True,
            quiet=True,
            overwrite=False,
        )
    except Exception as exc:
        _discard(dest)
        raise translate_copier_error(exc, src=src, ref=ref) from None
    try:
        assert_contained(dest, what=f"rendered scaffold {ref}")
    except EscapingPathError:
        _discard(dest)
        raise
    log.info("rendered scaffold %s@%s into %s", src, ref, dest)
    return dest


def translate_copier_error(exc: Exception, *, src: str, ref: str) -> Exception:
    """One of our errors, with a message an admin can act on, for what copier raised."""
    if isinstance(exc, UnsafeTemplateError):
        features = str(exc).splitlines()[0]
        return UnsafeScaffoldError(
            f"scaffold {src}@{ref} refused: {features} The portal never runs scaffold code "
            "(_tasks, _jinja_extensions, _migrations); remove them from copier.yml"
        )
    if isinstance(exc, ForbiddenPathError):
        return EscapingPathError(
            f"scaffold {src}@{ref} refused: {exc} (path outside the scaffold or destination)"
        )
    return RenderError(f"copier could not render {src}@{ref}: {type(exc).__name__}: {exc}")


def _discard(dest: Path) -> None:
    """Remove what a failed render left (rmtree unlinks symlinks, never follows them)."""
    if dest.is_symlink() or not dest.exists():
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
