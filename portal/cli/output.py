"""What the command prints: rich tables for people, or the API's JSON as it came (``--output json``) for
scripts. Errors go to stderr, never as a traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from .client import PortalError


def _console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    # Not a terminal (a pipe, a file, a test): wide enough that values are never cut.
    return Console(file=stream, width=None if terminal else 200, highlight=False, soft_wrap=not terminal,
                   no_color=not terminal)


class Output:
    def __init__(self, mode: str = "table"):
        self.mode = mode
        self._console: Console | None = None

    @property
    def json(self) -> bool:
        return self.mode == "json"

    @property
    def console(self) -> Console:
        """One console for the whole command, so lines printed under `watch`'s spinner stay whole."""
        if self._console is None:
            self._console = _console()
        return self._console

    def as_json(self, value: Any) -> bool:
        """With ``--output json``: print the API's ``value`` and say so (the command is done)."""
        if self.json:
            self.data(value)
        return self.json

    def data(self, value: Any) -> None:
        """The API's JSON, indented (for ``--output json``)."""
        typer.echo(json.dumps(value, indent=2, ensure_ascii=False))

    def say(self, text: str = "") -> None:
        """A line for people (not printed with ``--output json``, which prints only the API's JSON)."""
        if not self.json:
            self.console.print(text, markup=False)

    def rich(self, text: str) -> None:
        if not self.json:
            self.console.print(text)

    def table(self, rows: Iterable[dict], columns: Sequence[tuple[str, str | Callable[[dict], Any]]], *,
              title: str | None = None, empty: str = "Nothing to show.") -> None:
        rows = list(rows)
        if self.json:
            self.data(rows)
            return
        if not rows:
            self.console.print(empty, markup=False)
            return
        table = Table(title=title, show_lines=False, header_style="bold")
        for heading, _ in columns:
            table.add_column(heading, overflow="fold")
        for row in rows:
            table.add_row(*(text(value(row) if callable(value) else row.get(value)) for _, value in columns))
        self.console.print(table)

    def fields(self, pairs: Sequence[tuple[str, Any]]) -> None:
        if self.json:
            return
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for name, value in pairs:
            table.add_row(name, text(value))
        self.console.print(table)


def text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}={text(v)}" for k, v in value.items()) or "–"
    if isinstance(value, list):
        return ", ".join(text(v) for v in value) or "–"
    return str(value)


def show_error(error: PortalError) -> None:
    """The portal's refusal on stderr: its detail, then each pointer's message, then a hint."""
    console = _console(stderr=True)
    console.print(f"Error: {error.message}", markup=False, style="bold red")
    for problem in error.errors:
        pointer = problem.get("pointer") or "/"
        console.print(f"  {pointer}: {problem.get('detail', '')}", markup=False)
    if error.hint:
        console.print(error.hint, markup=False)
