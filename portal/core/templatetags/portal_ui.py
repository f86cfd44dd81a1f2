"""Small template helpers for accessible forms and readable values."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def described_widget(field):
    """The field's widget tied to its help text and error messages (``aria-describedby``)."""
    ids = [f"{field.auto_id}_helptext"] if field.help_text else []
    ids.append(f"{field.auto_id}_error")  # filled by the server or by the inline check
    attrs = {"aria-describedby": " ".join(ids)}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def percent_of(used, limit) -> int:
    """0–100 for a bar; 100 when over (or the limit is zero)."""
    try:
        used, limit = float(used), float(limit)
    except (TypeError, ValueError):
        return 0
    if limit <= 0:
        return 100 if used > 0 else 0
    return max(0, min(100, round(used * 100 / limit)))
