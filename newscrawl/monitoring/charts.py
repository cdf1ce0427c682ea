"""The report's charts, written directly as inline SVG.

Each function returns an ``<svg class="chart">`` element as text, ready to be placed in HTML: no
XML header, no script, no link to anything outside it. Text stays text, drawn by the browser
with its own sans-serif font, so Japanese labels show wherever the reader has a Japanese font
and nothing is fetched; the output is deterministic (no ids, no date), so the same run gives
the same report.

Written by hand rather than with matplotlib, which the report used before: matplotlib's import
and layout cost about a second at the end of every run (11 % of a 1,000-article crawl's
profile), more than the charts are worth. Sizes are given in inches of a 100-px inch, as
before; the element scales with its container (``viewBox``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from html import escape

SOURCE_COLOURS = {
    "markup": "#2e7d32", "template": "#00897b", "jsonld": "#1565c0", "meta": "#6a1b9a",
    "text": "#ef6c00", "url": "#757575", "generic": "#c62828",
}
MAIN = "#1565c0"
ACCENT = "#c62828"
MUTED = "#9e9e9e"
PALETTE = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#c62828", "#00897b", "#757575")
"""Colours of series that are not extraction sources, in order."""
PX = 100
"""Pixels of the ``viewBox`` per inch of the sizes the callers give."""
FONT = 12
"""Font size of labels, in px (the title is one px larger, bold)."""
_TEXT = "#333333"
_AXIS = "#555555"
_GRID = "#e0e0e0"


def source_colour(source: str) -> str:
    return SOURCE_COLOURS.get(source, "#fbc02d")


def text_width(text: str, size: float = FONT) -> float:
    """Roughly how wide ``text`` is drawn: wide (CJK) characters count a full em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.58 for c in text)


def fmt(value: float) -> str:
    """A number as ``%g`` writes it (``3``, ``0.25``, ``1.2e+04``)."""
    return f"{value:g}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from ``low`` to at least ``high`` (about ``count`` of them)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


class Canvas:
    """An SVG drawing in a ``width`` × ``height`` px box, with a plot area inside margins."""

    def __init__(self, width: float, height: float, *, left: float, bottom: float,
                 top: float = 26, right: float = 16) -> None:
        self.width, self.height = round(width), round(height)
        self.left, self.right = left, self.width - right
        self.top, self.bottom = top, self.height - bottom
        self.parts: list[str] = []

    def text(self, x: float, y: float, text: str, *, anchor: str = "start", size: float = FONT,
             colour: str = _TEXT, bold: bool = False, rotate: float = 0) -> None:
        extra = ' font-weight="bold"' if bold else ""
        if rotate:
            extra += f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"'
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{colour}" '
                          f'text-anchor="{anchor}"{extra}>{escape(text)}</text>')

    def rect(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(0.0, width):.1f}" '
                          f'height="{max(0.0, height):.1f}" fill="{colour}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = _AXIS,
             dashed: bool = False) -> None:
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                          f'stroke="{colour}" stroke-width="1"{dash}/>')

    def title(self, text: str) -> None:
        self.text(8, 17, text, size=FONT + 1, bold=True)

    def legend(self, colours: Mapping[str, str], y: float) -> None:
        """Coloured squares and names in one row from the left margin."""
        x = self.left
        for name, colour in colours.items():
            self.rect(x, y - 9, 10, 10, colour)
            self.text(x + 14, y, name, size=FONT - 1)
            x += 24 + text_width(name, FONT - 1)

    def svg(self) -> str:
        return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" '
                f'viewBox="0 0 {self.width} {self.height}" '
                f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif">'
                + "".join(self.parts) + "</svg>")


def _value_axis(canvas: Canvas, ticks: Sequence[float], to_y: Scale, label: str,
                percent: bool = False) -> None:
    """Horizontal grid lines and their values on the left, the axis label beside them."""
    for tick in ticks:
        y = to_y(tick)
        canvas.line(canvas.left, y, canvas.right, y, _GRID)
        canvas.text(canvas.left - 5, y + 4, f"{tick:.0%}" if percent else fmt(tick),
                    anchor="end", size=FONT - 2)
    if label:
        middle = (canvas.top + canvas.bottom) / 2
        canvas.text(12, middle, label, anchor="middle", size=FONT - 1, rotate=-90)
    canvas.line(canvas.left, canvas.bottom, canvas.right, canvas.bottom)


class Scale:
    """A linear map from data values ``[low, high]`` to pixels ``[start, end]``."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.span = low, (high - low) or 1.0
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / self.span * (self.end - self.start)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str,
              xlabel: str = "", horizontal: bool = False, colour: str = MAIN,
              width: float = 6.4, height: float | None = None) -> str:
    """Bars with their value written at the end."""
    if horizontal:
        return _horizontal_bars(labels, values, title, xlabel, colour, width, height)
    height = height or 2.6
    canvas = Canvas(width * PX, height * PX, left=52, bottom=44)
    top = nice_ticks(0, max(values, default=0) or 1)
    to_y = Scale(0, top[-1], canvas.bottom, canvas.top)
    _value_axis(canvas, top, to_y, xlabel)
    slot = (canvas.right - canvas.left) / max(1, len(labels))
    rotate = sum(text_width(label, FONT - 2) for label in labels) > canvas.right - canvas.left
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = canvas.left + i * slot
        y = to_y(value)
        canvas.rect(x + slot * 0.1, y, slot * 0.8, canvas.bottom - y, colour)
        canvas.text(x + slot / 2, y - 3, fmt(value), anchor="middle", size=FONT - 3)
        if rotate:
            canvas.text(x + slot / 2, canvas.bottom + 12, label, anchor="end", size=FONT - 2,
                        rotate=-35)
        else:
            canvas.text(x + slot / 2, canvas.bottom + 15, label, anchor="middle", size=FONT - 2)
    canvas.title(title)
    return canvas.svg()


def _horizontal_bars(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str,
                     colour: str, width: float, height: float | None) -> str:
    height = height or max(1.6, 0.28 * len(labels) + 0.9)
    label_width = max((text_width(label, FONT - 1) for label in labels), default=0)
    canvas = Canvas(width * PX, height * PX, left=min(260, label_width + 14),
                    bottom=38 if xlabel else 22, right=48)
    to_x = Scale(0, max(values, default=0) or 1, canvas.left, canvas.right)
    row = (canvas.bottom - canvas.top) / max(1, len(labels))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = canvas.top + i * row
        canvas.rect(canvas.left, y + row * 0.15, to_x(value) - canvas.left, row * 0.7, colour)
        canvas.text(canvas.left - 6, y + row / 2 + 4, label, anchor="end", size=FONT - 1)
        canvas.text(to_x(value) + 3, y + row / 2 + 4, fmt(value), size=FONT - 3)
    canvas.line(canvas.left, canvas.top, canvas.left, canvas.bottom)
    if xlabel:
        canvas.text((canvas.left + canvas.right) / 2, canvas.height - 8, xlabel,
                    anchor="middle", size=FONT - 1)
    canvas.title(title)
    return canvas.svg()


def histogram(starts: Sequence[int], counts: Sequence[int], bucket: int, *, title: str,
              xlabel: str, marks: Mapping[str, float] | None = None) -> str:
    """Counts per bucket ``[start, start + bucket)``, with vertical lines at ``marks``."""
    canvas = Canvas(6.4 * PX, 2.6 * PX, left=52, bottom=44)
    low = min([*starts, *(marks or {}).values()], default=0)
    high = max([s + bucket for s in starts] + list((marks or {}).values()), default=bucket)
    x_ticks = nice_ticks(low, high)
    to_x = Scale(x_ticks[0], x_ticks[-1], canvas.left, canvas.right)
    y_ticks = nice_ticks(0, max(counts, default=0) or 1)
    to_y = Scale(0, y_ticks[-1], canvas.bottom, canvas.top)
    _value_axis(canvas, y_ticks, to_y, "articles")
    for start, count in zip(starts, counts, strict=True):
        x = to_x(start)
        canvas.rect(x, to_y(count), (to_x(start + bucket) - x) * 0.95, canvas.bottom - to_y(count),
                    MAIN)
    for tick in x_ticks:
        canvas.text(to_x(tick), canvas.bottom + 15, fmt(tick), anchor="middle", size=FONT - 2)
    for name, value in (marks or {}).items():
        canvas.line(to_x(value), canvas.top, to_x(value), canvas.bottom, ACCENT, dashed=True)
        canvas.text(to_x(value) + 3, canvas.top + 10, name, size=FONT - 3, colour=ACCENT)
    canvas.text((canvas.left + canvas.right) / 2, canvas.height - 8, xlabel, anchor="middle",
                size=FONT - 1)
    canvas.title(title)
    return canvas.svg()


def line_chart(x: Sequence[float], series: Mapping[str, Sequence[float]], *, title: str,
               xlabel: str, ylabel: str, xticklabels: Sequence[str] | None = None,
               percent: bool = False, width: float = 6.4, height: float = 2.6) -> str:
    """One line per series (markers when there are few points)."""
    legend = len(series) > 1
    canvas = Canvas(width * PX, height * PX, left=56,
                    bottom=(70 if xticklabels is not None else 44) + (16 if legend else 0))
    values = [v for vs in series.values() for v in vs]
    y_ticks = ([0, 0.25, 0.5, 0.75, 1.0] if percent
               else nice_ticks(min(0.0, *values) if values else 0, max(values, default=1) or 1))
    to_y = Scale(y_ticks[0], y_ticks[-1], canvas.bottom, canvas.top)
    _value_axis(canvas, y_ticks, to_y, ylabel, percent)
    x_low, x_high = (min(x), max(x)) if x else (0.0, 1.0)
    to_x = Scale(x_low, x_high if x_high > x_low else x_low + 1, canvas.left + 6,
                 canvas.right - 6)
    if xticklabels is not None:
        for position, label in zip(x, xticklabels, strict=True):
            canvas.text(to_x(position), canvas.bottom + 12, label, anchor="end", size=FONT - 3,
                        rotate=-30)
    else:
        for tick in nice_ticks(x_low, x_high):
            if x_low <= tick <= x_high:
                canvas.text(to_x(tick), canvas.bottom + 15, fmt(tick), anchor="middle",
                            size=FONT - 2)
    colours = {name: SOURCE_COLOURS.get(name) or PALETTE[i % len(PALETTE)]
               for i, name in enumerate(series)}
    for name, points in series.items():
        colour = colours[name]
        path = " ".join(f"{to_x(a):.1f},{to_y(b):.1f}" for a, b in zip(x, points, strict=True))
        canvas.parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                            f'stroke-width="1.6"/>')
        if len(x) <= 40:
            canvas.parts.extend(f'<circle cx="{to_x(a):.1f}" cy="{to_y(b):.1f}" r="2.5" '
                                f'fill="{colour}"/>' for a, b in zip(x, points, strict=True))
    label_y = canvas.height - (24 if legend else 8)
    canvas.text((canvas.left + canvas.right) / 2, label_y, xlabel, anchor="middle",
                size=FONT - 1)
    if legend:
        canvas.legend(colours, canvas.height - 6)
    canvas.title(title)
    return canvas.svg()


def stacked_shares(rows: Mapping[str, Mapping[str, float]], sources: Sequence[str], *,
                   title: str) -> str:
    """One horizontal bar per row (a field), split by the share of each source."""
    labels = list(rows)
    label_width = max((text_width(label, FONT - 1) for label in labels), default=0)
    canvas = Canvas(6.4 * PX, max(1.8, 0.3 * len(labels) + 1.1) * PX,
                    left=min(200, label_width + 14), bottom=44)
    to_x = Scale(0, 1, canvas.left, canvas.right)
    row = (canvas.bottom - canvas.top) / max(1, len(labels))
    shown = [s for s in sources if any(rows[label].get(s, 0.0) for label in labels)]
    for i, label in enumerate(labels):
        y = canvas.top + i * row
        left = 0.0
        for source in shown:
            share = rows[label].get(source, 0.0)
            canvas.rect(to_x(left), y + row * 0.15, to_x(left + share) - to_x(left), row * 0.7,
                        source_colour(source))
            left += share
        canvas.text(canvas.left - 6, y + row / 2 + 4, label, anchor="end", size=FONT - 1)
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        canvas.text(to_x(tick), canvas.bottom + 13, f"{tick:.0%}", anchor="middle",
                    size=FONT - 3)
    canvas.legend({source: source_colour(source) for source in shown}, canvas.height - 8)
    canvas.title(title)
    return canvas.svg()
