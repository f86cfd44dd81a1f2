"""Utilization charts drawn on the server as SVG (no script, no CDN): a line per metric over time, 0–100 %."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()
COLOURS = {"gpu": "#7b3fe4", "cpu": "#1f77b4"}


def _points(samples, metric: str, width: int, height: int, start, span: float) -> str:
    pts = []
    for s in samples:
        value = getattr(s, metric)
        if value is None:
            continue
        x = (s.hour - start).total_seconds() / span * width if span else 0
        y = height - max(0.0, min(100.0, value)) / 100 * height
        pts.append(f"{x:.1f},{y:.1f}")
    return " ".join(pts)


def _average(samples, metric: str) -> float:
    values = [getattr(s, metric) for s in samples if getattr(s, metric) is not None]
    return sum(values) / len(values) if values else 0.0


@register.simple_tag
def usage_chart(samples, *, width: int = 640, height: int = 160, threshold=None, small: bool = False):
    samples = list(samples)
    if not samples:
        return mark_safe('<span class="muted small">no measurements yet</span>')  # noqa: S308 — a constant
    start, end = samples[0].hour, samples[-1].hour
    span = (end - start).total_seconds()
    lines = [(metric, _points(samples, metric, width, height, start, span)) for metric in ("cpu", "gpu")]
    lines = [(m, p) for m, p in lines if p]
    label = "; ".join(f"{m.upper()} average {_average(samples, m):.0f} %" for m, _ in lines)
    rule = ""
    if threshold not in (None, "") and not small:
        y = height - float(threshold) / 100 * height
        rule = format_html('<line x1="0" x2="{}" y1="{}" y2="{}" stroke="#d62728" stroke-dasharray="4 3" />'
                           '<text x="4" y="{}" font-size="11" fill="#d62728">idle below {} %</text>',
                           width, f"{y:.1f}", f"{y:.1f}", f"{max(11, y - 3):.1f}", threshold)
    polylines = format_html_join(
        "", '<polyline fill="none" stroke="{}" stroke-width="{}" points="{}" data-metric="{}" />',
        ((COLOURS[m], 1 if small else 2, p, m) for m, p in lines))
    legend = "" if small else format_html_join(
        "", '<text x="{}" y="12" font-size="11" fill="{}">{}</text>',
        ((width - 90 + i * 45, COLOURS[m], m.upper()) for i, (m, _) in enumerate(lines)))
    return format_html('<svg class="usage-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
                       'preserveAspectRatio="none"><rect width="{}" height="{}" fill="#fafafa" stroke="#ddd" />'
                       '{}{}{}</svg>', f"Utilization: {label}", width, height, width, height, width, height,
                       rule, polylines, legend)
