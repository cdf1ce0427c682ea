"""A benchmark figure (the median of its runs, with min and max) and the table that prints them."""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import newscrawl

PROJECT_ROOT = Path(newscrawl.__file__).resolve().parent.parent
HEADER = ("section", "figure", "median", "min", "max", "unit", "target", "", "note")


@dataclass
class Figure:
    """One line of the table: the values of every run, and how they compare with a target."""

    section: str
    figure: str
    values: list[float] = field(default_factory=list)
    unit: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    text: str = ""
    """Shown instead of the median when there are no values (errors, skipped sections)."""

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: the fields, and ``median``, ``min``, ``max`` when there are values."""
        data = asdict(self)
        if self.values:
            data |= {"median": self.median, "min": min(self.values), "max": max(self.values)}
        return data


def median_of(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Run ``i`` against run ``i``: pairs measured back to back share the machine's load."""
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def fmt(value: float | None) -> str:
    """Three significant digits or so; thousands separated; ``-`` for no value."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def error_figure(section: str, error: BaseException) -> Figure:
    """The line of a section (or a size) that failed: the error's type and first words."""
    message = " ".join(str(error).split())
    return Figure(section, "error", text="error", note=f"{type(error).__name__}: {message[:160]}")


def cells(figure: Figure) -> tuple[str, ...]:
    """The table cells of one figure, in the order of :data:`HEADER`."""
    if figure.values:
        spread = (fmt(figure.median), fmt(min(figure.values)), fmt(max(figure.values)))
    else:
        spread = (figure.text or "-", "", "")
    return (figure.section, figure.figure, *spread, figure.unit, figure.target,
            verdict(figure.met), figure.note)


def table_lines(figures: Sequence[Figure]) -> list[str]:
    """The table as lines: columns padded to their widest cell, the note left unpadded."""
    rows = [HEADER, *(cells(f) for f in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]

    def line(row: Sequence[str]) -> str:
        padded = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        return (padded + "  " + row[-1]).rstrip()

    return [line(HEADER), "  ".join("-" * width for width in widths),
            *(line(row) for row in rows[1:])]


def shorten(where: str, root: Path = PROJECT_ROOT) -> str:
    """A source location without its installation prefix (site-packages, the standard library,
    the project's checkout)."""
    version = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"
    for marker in ("/site-packages/", version, f"{root}/"):
        if marker in where:
            return where.split(marker, 1)[1]
    return where
