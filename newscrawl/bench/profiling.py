"""One crawl under cProfile (``--profile``, ``--profile-only``): the hottest functions of the
project and of Scrapy by cumulative time, and of any code by self time."""

from __future__ import annotations

import pstats
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from newscrawl.bench.figures import PROJECT_ROOT, shorten
from newscrawl.bench.runner import Runner, serve

Key = tuple[str, int, str]
"""pstats' key of a function: file, line, name."""
Entry = tuple[Any, ...]
"""pstats' value: primitive calls, calls, self time, cumulative time, callers."""
ENTRY_POINT_SHARE = 0.9
"""Functions holding more of the run than this (cmdline, the reactor, the crawl command) are
entry points, not hot spots, and are left out of the cumulative tables."""


def profile(runner: Runner, articles: int, out: Path, top: int = 15) -> dict[str, Any]:
    """Crawl a replica of ``articles`` under cProfile; print and return the hot functions."""
    prof = out / "crawl.prof"
    files = runner.files(f"profile-{articles}")
    files.directory.mkdir(parents=True, exist_ok=True)
    with serve(articles) as base_url:
        command = runner.crawl_command(base_url, files)
        command[1:1] = ["-m", "cProfile", "-o", str(prof)]
        try:
            run = runner.run(command, files).check()
        finally:
            runner.clean(files, files.directory)
    print(f"\nprofile: one crawl of {articles:,} articles under cProfile, {run.elapsed:.1f} s "
          f"crawl time ({run.pages} pages), saved to {prof}")
    table = hot_functions(pstats.Stats(str(prof)).stats, top)  # type: ignore[attr-defined]
    print_tables(table, top)
    return {"articles": articles, "elapsed": run.elapsed, "pages": run.pages, "file": str(prof),
            **table}


def group_of(filename: str, root: Path = PROJECT_ROOT) -> str | None:
    if f"{root}/newscrawl/" in filename:
        return "newscrawl"
    return "scrapy" if "/scrapy/" in filename else None


def rows(entries: Iterable[tuple[Key, Entry]], root: Path = PROJECT_ROOT
         ) -> list[dict[str, Any]]:
    return [{"function": f"{shorten(filename, root)}:{line}({name})", "calls": calls,
             "tottime": round(tottime, 3), "cumtime": round(cumtime, 3)}
            for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in entries]


def hot_functions(raw: Mapping[Key, Entry], top: int = 15, root: Path = PROJECT_ROOT
                  ) -> dict[str, list[dict[str, Any]]]:
    """Project and Scrapy functions by cumulative time (without the entry points that hold the
    whole run), and functions of any code by self time."""
    by_cumulative = sorted(raw.items(), key=lambda item: item[1][3], reverse=True)
    total = by_cumulative[0][1][3] if by_cumulative else 0.0
    groups: dict[str, list[tuple[Key, Entry]]] = {"newscrawl": [], "scrapy": []}
    for key, entry in by_cumulative:
        group = group_of(key[0], root)
        if group and len(groups[group]) < top and entry[3] <= ENTRY_POINT_SHARE * total:
            groups[group].append((key, entry))
    by_self = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return {**{name: rows(found, root) for name, found in groups.items()},
            "self time, any code": rows(by_self, root)}


def print_tables(table: Mapping[str, list[dict[str, Any]]], top: int) -> None:
    for group, found in table.items():
        title = (f"top {top} functions of any code by self time" if group.startswith("self")
                 else f"top {top} {group} functions by cumulative time")
        print(f"\n  {title}")
        print(f"  {'cumtime':>8} {'tottime':>8} {'calls':>8}  function")
        for row in found:
            print(f"  {row['cumtime']:8.2f} {row['tottime']:8.2f} {row['calls']:8d}  "
                  f"{row['function']}")
