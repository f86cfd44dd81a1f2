"""Characters no typed value may hold: control and invisible formatting characters.

A name with a right-to-left override (U+202E) reads differently from what it is; a line break in a
one-line value breaks whatever later puts it on one line (a README title, a tag, a log line). Every
string a person types is checked here: one-line values refuse every control (Cc), format (Cf:
bidi controls, zero-width characters…), line/paragraph separator (Zl, Zp), surrogate (Cs) and
private-use (Co) character; multi-line values (a textarea) may also hold line breaks and tabs.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
MULTILINE_ALLOWED = frozenset("\n\r\t")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{f' {name}' if name else ''}"


def unsafe_character_message(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` for a person, or None when every character may stay."""
    for char in value:
        if multiline and char in MULTILINE_ALLOWED:
            continue
        if unicodedata.category(char) not in REFUSED_CATEGORIES:
            continue
        if char in "\n\r\u2028\u2029":
            return "Use one line only (no line breaks)."
        if char == "\t":
            return "Remove the tab character."
        return f"Remove the invisible control character {_describe(char)}."
    return None


@deconstructible
class PrintableText:
    """A form/model field validator: refuses what ``unsafe_character_message`` refuses."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str):
            message = unsafe_character_message(value, multiline=self.multiline)
            if message:
                raise ValidationError(message, code="unsafe_character")

    def __eq__(self, other) -> bool:
        return isinstance(other, PrintableText) and other.multiline == self.multiline
