"""The report's charts: matplotlib figures rendered to inline SVG (Agg-based, no pyplot).

Each function returns an ``<svg>`` element as text, ready to be placed in HTML: no XML
header, no script, no link to anything outside it. Text stays text (``svg.fonttype: none``),
drawn by the browser with its own sans-serif font, so Japanese labels show wherever the
reader has a Japanese font and nothing is fetched; the output is deterministic (fixed ids, no
date) so that the same run gives the same report.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SOURCE_COLOURS = {
    "markup": "#2e7d32", "template": "#00897b", "jsonld": "#1565c0", "meta": "#6a1b9a",
    "text": "#ef6c00", "url": "#757575", "generic": "#c62828",
}
MAIN = "#1565c0"
ACCENT = "#c62828"
MUTED = "#9e9e9e"
_RC: Any = {  # rcParams (typed as Any: matplotlib types each key as a Literal)
    "svg.fonttype": "none",
    "svg.hashsalt": "newscrawl",
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
}


def source_colour(source: str) -> str:
    return SOURCE_COLOURS.get(source, "#fbc02d")


@contextmanager
def _figure(width: float, height: float) -> Iterator[tuple[Figure, Axes]]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(width, height), layout="constrained")
        yield figure, figure.add_subplot()


def to_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element that scales with its container."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # Japanese labels: the layout font has no such glyphs, the browser draws them.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        canvas = FigureCanvasSVG(figure)
        canvas.print_svg(  # type: ignore[no-untyped-call]
            buffer, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                 r'<svg \1class="chart" preserveAspectRatio="xMinYMin meet"', svg, count=1)
    # Ids unique within the page (several charts share one HTML document): prefixed with a
    # hash of the chart itself, so the output stays deterministic.
    prefix = "c" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:8] + "-"
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)', rf"\g<1>{prefix}\2", svg)
    return svg.strip()


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str,
              xlabel: str = "", horizontal: bool = False, colour: str = MAIN,
              width: float = 6.4, height: float | None = None) -> str:
    """Bars with their value written at the end."""
    height = height or (max(1.6, 0.28 * len(labels) + 0.9) if horizontal else 2.6)
    with _figure(width, height) as (figure, axes):
        positions = list(range(len(labels)))
        if horizontal:
            bars = axes.barh(positions, values, color=colour)
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()
            axes.set_xlabel(xlabel)
        else:
            bars = axes.bar(positions, values, color=colour)
            axes.set_xticks(positions, labels)
            axes.set_ylabel(xlabel)
        axes.bar_label(bars, fmt="%g", padding=2, fontsize=7)
        axes.set_title(title, loc="left")
        return to_svg(figure)


def histogram(starts: Sequence[int], counts: Sequence[int], bucket: int, *, title: str,
              xlabel: str, marks: Mapping[str, float] | None = None) -> str:
    """Counts per bucket ``[start, start + bucket)``, with vertical lines at ``marks``."""
    with _figure(6.4, 2.6) as (figure, axes):
        axes.bar(starts, counts, width=bucket * 0.95, align="edge", color=MAIN)
        for name, value in (marks or {}).items():
            axes.axvline(value, color=ACCENT, linestyle="--", linewidth=1)
            axes.annotate(name, (value, 1), xycoords=("data", "axes fraction"),
                          xytext=(3, -10), textcoords="offset points", color=ACCENT,
                          fontsize=7)
        axes.set_xlabel(xlabel)
        axes.set_ylabel("articles")
        axes.set_title(title, loc="left")
        return to_svg(figure)


def line_chart(x: Sequence[float], series: Mapping[str, Sequence[float]], *, title: str,
               xlabel: str, ylabel: str, xticklabels: Sequence[str] | None = None,
               percent: bool = False, width: float = 6.4, height: float = 2.6) -> str:
    """One line per series (markers when there are few points)."""
    from matplotlib.ticker import PercentFormatter

    with _figure(width, height) as (figure, axes):
        marker = "o" if len(x) <= 40 else ""
        for name, values in series.items():
            axes.plot(x, values, marker=marker, markersize=3, linewidth=1.4, label=name,
                      color=SOURCE_COLOURS.get(name))
        if xticklabels is not None:
            axes.set_xticks(list(x), list(xticklabels), rotation=30, ha="right", fontsize=7)
        if percent:
            axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            axes.set_ylim(-0.02, 1.05)
        if len(series) > 1:
            axes.legend(fontsize=7, frameon=False, loc="best")
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.set_title(title, loc="left")
        return to_svg(figure)


def stacked_shares(rows: Mapping[str, Mapping[str, float]], sources: Sequence[str], *,
                   title: str) -> str:
    """One horizontal bar per row (a field), split by the share of each source."""
    labels = list(rows)
    with _figure(6.4, max(1.8, 0.3 * len(labels) + 1.1)) as (figure, axes):
        left = [0.0] * len(labels)
        for source in sources:
            widths = [rows[label].get(source, 0.0) for label in labels]
            if not any(widths):
                continue
            axes.barh(range(len(labels)), widths, left=left, color=source_colour(source),
                      label=source)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 1)
        from matplotlib.ticker import PercentFormatter

        axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.legend(fontsize=7, frameon=False, ncols=min(7, len(sources)),
                    loc="upper left", bbox_to_anchor=(0, -0.08))
        axes.set_title(title, loc="left")
        return to_svg(figure)
