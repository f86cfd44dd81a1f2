"""The form sections of a request being composed: one ParameterForm per item, each with its prefix.

A single-template request has one section (prefix "v"); a bundle has one per item ("i0", "i1", …).
The page carries ``section=<prefix>:<version pk>`` hidden inputs so the live estimate can rebuild
the same sections from a POST of the whole form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .forms import ParameterForm
from .models import TemplateVersion
from .selectors import requestable_version

PREFIX = re.compile(r"^(v|i[0-9]{1,2})$")


@dataclass
class Section:
    prefix: str
    title: str
    version: TemplateVersion
    form: ParameterForm

    @property
    def marker(self) -> str:
        return f"{self.prefix}:{self.version.pk}"

    def current_values(self) -> dict:
        """Valid values typed so far, or the schema's defaults before anything was posted."""
        if not self.form.is_bound:
            return {n: f.initial for n, f in self.form.fields.items() if f.initial not in (None, "", [])}
        self.form.is_valid()
        return self.form.cleaned_values


def build_sections(specs: list[tuple[str, TemplateVersion]], data=None, *, single: bool = False) -> list[Section]:
    sections = []
    for n, (title, version) in enumerate(specs):
        prefix = "v" if single else f"i{n}"
        form = ParameterForm(data, schema=version.parameter_schema, prefix=prefix)
        sections.append(Section(prefix, title, version, form))
    return sections


def sections_from_post(data) -> list[Section]:
    """Rebuild sections from the hidden markers of a posted page; unknown or bad markers are skipped."""
    specs, prefixes = [], []
    for marker in data.getlist("section")[:20]:
        prefix, _, pk = marker.partition(":")
        version = requestable_version(pk) if PREFIX.match(prefix) and prefix not in prefixes else None
        if version is not None:
            specs.append((version.template.name, version))
            prefixes.append(prefix)
    return [Section(prefix, title, version, ParameterForm(data, schema=version.parameter_schema, prefix=prefix))
            for prefix, (title, version) in zip(prefixes, specs, strict=True)]
