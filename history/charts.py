"""Charts drawn on the server as plain SVG (templates/history/_chart_*.svg.html).

No chart library: pygal's SVG embeds scripts and styles that the site's strict CSP
refuses, and these charts are simple. This module only computes geometry (a viewBox in
user units, scaled by the browser to the width of the screen); the templates draw it
with presentation attributes (fill, font-size), which the CSP allows. Every chart is
shown beside a table of the same numbers: the SVG is a picture, the table the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Colours with AA contrast on white (the site's brand blue, and a darker one for text).
BAR_FILL = "#1f5c99"
ACCENT_FILL = "#b35900"
TEXT_FILL = "#212529"
GRID_STROKE = "#ced4da"


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    value_label: str
    label_x: float
    label_y: float
    value_y: float
    fill: str = BAR_FILL
    value_x: float = 0  # horizontal charts: where the value is written, after the bar


@dataclass
class GridLine:
    y: float
    label: str


@dataclass
class Chart:
    """What a template needs to draw one chart: its box and its shapes."""

    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    grid: list[GridLine] = field(default_factory=list)
    left: float = 0  # where the plot starts (after the labels of a horizontal chart)
    plot_width: float = 0
    axis_y: float = 0
    font_size: float = 12
    rotate_labels: bool = False
    points: str = ""  # line charts: "x,y x,y ..." of the polyline


def _ticks(value: float) -> list[int]:
    """Round, whole-number graduations from 0 to at least `value`, six at most:
    2 -> 0 1 2; 7 -> 0 2 4 6 8; 43 -> 0 10 20 30 40 50."""
    if value <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if value / step <= 5:
                top = math.ceil(value / step) * step
                return list(range(0, top + 1, step))
        magnitude *= 10


def _short(label: str, size: int = 20) -> str:
    """A label that fits left of the bars (the table beside the chart has it whole)."""
    return label if len(label) <= size else label[: size - 1] + "…"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def column_chart(
    rows: list[tuple[str, float]],
    *,
    height: float = 220,
    unit: str = "",
    highlight: set[str] | None = None,
) -> Chart:
    """Vertical bars, one per (label, value), left to right (years, evenings)."""
    highlight = highlight or set()
    count = max(len(rows), 1)
    slot = 34 if count <= 16 else 22
    left, top, bottom = 34, 18, 46 if count > 16 else 30
    # A few bars stay bars: the box never gets narrower than a phone's width of them.
    width = max(left + slot * count + 8, 560)
    plot_height = height - top - bottom
    ticks = _ticks(max((v for _, v in rows), default=0))
    top_value = ticks[-1]
    chart = Chart(
        width=width,
        height=height,
        left=left,
        plot_width=slot * count,
        axis_y=top + plot_height,
        font_size=11 if count <= 16 else 9,
        rotate_labels=count > 16,
    )
    for value in ticks:
        y = top + plot_height - plot_height * value / top_value
        chart.grid.append(GridLine(y=y, label=_fmt(value)))
    for index, (label, value) in enumerate(rows):
        bar_height = plot_height * (value / top_value)
        x = left + slot * index + slot * 0.15
        bar_width = slot * 0.7
        y = top + plot_height - bar_height
        chart.bars.append(
            Bar(
                x=x,
                y=y,
                width=bar_width,
                height=bar_height,
                label=label,
                value=value,
                value_label=_fmt(value) + unit,
                label_x=x + bar_width / 2,
                label_y=top + plot_height + 14,
                value_y=y - 4,
                fill=ACCENT_FILL if label in highlight else BAR_FILL,
            )
        )
    return chart


def bar_chart(rows: list[tuple[str, float]], *, unit: str = "", label_width: float = 160) -> Chart:
    """Horizontal bars, one per (label, value), top to bottom (topics, speakers)."""
    row_height = 24
    top = 8
    plot_width = 220
    width = label_width + plot_width + 44
    height = top + row_height * max(len(rows), 1) + 8
    top_value = max((v for _, v in rows), default=0) or 1
    chart = Chart(width=width, height=height, left=label_width, plot_width=plot_width)
    for index, (label, value) in enumerate(rows):
        y = top + row_height * index
        bar_width = plot_width * value / top_value
        chart.bars.append(
            Bar(
                x=label_width,
                y=y + 4,
                width=bar_width,
                height=row_height - 8,
                label=_short(label),
                value=value,
                value_label=_fmt(value) + unit,
                label_x=label_width - 6,
                label_y=y + row_height / 2 + 4,
                value_y=y + row_height / 2 + 4,
            )
        )
        chart.bars[-1].value_x = label_width + bar_width + 4
    return chart


def span_chart(rows: list[tuple[str, int, int, int]], *, label_width: float = 160) -> Chart:
    """A timeline: one row per (label, first year, last year, count): venues over time."""
    if not rows:
        return Chart(width=label_width + 260, height=40)
    first = min(r[1] for r in rows)
    last = max(r[2] for r in rows)
    years = last - first + 1
    year_width = max(min(240 / years, 40), 16)
    plot_width = year_width * years
    row_height = 24
    top = 22
    chart = Chart(
        width=label_width + plot_width + 44,
        height=top + row_height * len(rows) + 8,
        left=label_width,
        plot_width=plot_width,
    )
    step = 1 if years <= 8 else 2 if years <= 16 else 5
    for year in range(first, last + 1, step):
        # Grid lines are vertical here: `y` holds the x position of the year.
        chart.grid.append(GridLine(y=label_width + year_width * (year - first), label=str(year)))
    for index, (label, start, end, count) in enumerate(rows):
        y = top + row_height * index
        x = label_width + year_width * (start - first)
        bar = Bar(
            x=x,
            y=y + 4,
            width=year_width * (end - start + 1),
            height=row_height - 8,
            label=_short(label),
            value=count,
            value_label=str(count),
            label_x=label_width - 6,
            label_y=y + row_height / 2 + 4,
            value_y=y + row_height / 2 + 4,
        )
        bar.value_x = x + bar.width + 4
        chart.bars.append(bar)
    return chart


def line_chart(rows: list[tuple[str, float]], *, height: float = 220, unit: str = "") -> Chart:
    """Points joined by a line (RSVPs over time, a trend): the bars' tops, drawn as a path."""
    chart = column_chart(rows, height=height, unit=unit)
    chart.points = " ".join(f"{b.x + b.width / 2:.1f},{b.y:.1f}" for b in chart.bars)
    return chart
