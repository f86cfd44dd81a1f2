"""Server-rendered SVG charts (no JavaScript, no CDN): the geometry is computed here, the markup is a
template (templates/migration/_bars.svg.html, _burnup.svg.html), so every label is escaped."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 420, 22, 8, 140


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_x: int
    text_y: int
    tone: str  # a CSS class suffix: a / b alternate; ok / bad for results


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def bar_chart(title: str, rows: list[tuple[str, int]], *, tones: dict[str, str] | None = None) -> BarChart:
    top = max((value for _, value in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 40
    bars = []
    for i, (label, value) in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        width = round(value / top * room)
        bars.append(Bar(label=str(label), value=value, y=y, width=width, text_x=LABEL_WIDTH + width + 6,
                        text_y=y + BAR_HEIGHT - 6, tone=(tones or {}).get(label, "ab"[i % 2])))
    return BarChart(title=title, bars=bars, height=max(len(rows) * (BAR_HEIGHT + GAP), BAR_HEIGHT))


@dataclass(frozen=True)
class BurnUp:
    scope_points: str  # SVG polyline points
    done_points: str
    ticks: list[tuple[int, str]]  # (x, label) along the bottom
    y_ticks: list[tuple[int, int]]  # (y, value)
    last_scope: int
    last_done: int
    width: int = WIDTH
    height: int = 200
    left: int = 36
    bottom: int = 170


def burn_up_chart(points) -> BurnUp:
    """``points``: [(date, scope, done)] oldest first."""
    width, left, bottom, top = WIDTH, 36, 170, 10
    highest = max((scope for _, scope, _ in points), default=0) or 1
    step = (width - left - 10) / max(len(points) - 1, 1)

    def xy(i: int, value: int) -> str:
        return f"{left + i * step:.1f},{bottom - value / highest * (bottom - top):.1f}"

    scope = " ".join(xy(i, s) for i, (_, s, _) in enumerate(points))
    done = " ".join(xy(i, d) for i, (_, _, d) in enumerate(points))
    ticks = [(round(left + i * step), day.strftime("%d %b")) for i, (day, _, _) in enumerate(points) if i % 3 == 0
             or i == len(points) - 1]
    y_ticks = [(round(bottom - v / highest * (bottom - top)), v) for v in sorted({0, highest // 2, highest})]
    return BurnUp(scope_points=scope, done_points=done, ticks=ticks, y_ticks=y_ticks,
                  last_scope=points[-1][1] if points else 0, last_done=points[-1][2] if points else 0)
