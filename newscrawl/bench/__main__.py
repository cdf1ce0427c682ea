"""``python -m newscrawl.bench [--quick | --full] [--only SECTIONS] [--profile | --profile-only]``

Runs the sections of :mod:`newscrawl.bench.sections` over the replica, prints one table (each
figure the median of ``--runs`` runs with min and max) and saves it, with the machine and the
sizes, as ``<out>/bench-<UTC time>.json`` and ``<out>/latest.json``. Exit status 1 when a
section failed (its line in the table says why).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl.bench.context import FULL, QUICK, Context
from newscrawl.bench.figures import Figure, error_figure, table_lines
from newscrawl.bench.machine import load_average, machine_info, title_lines
from newscrawl.bench.profiling import profile
from newscrawl.bench.runner import Runner
from newscrawl.bench.sections import SECTIONS, number

DEFAULT_OUT = Path("output/bench")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.bench",
                                     description="Benchmark the crawl over the replica.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="2,000 articles; memory at 2,000 and 20,000 (about seven minutes on "
                           "2 cores; the default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="also the 100,000-article memory crawls (half an hour or more)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (3 or more)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"where the runs and reports go (default {DEFAULT_OUT})")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of {', '.join(SECTIONS)}")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one crawl with cProfile and print the hot functions")
    parser.add_argument("--profile-only", action="store_true", help="only the profile")
    parser.add_argument("--profile-articles", type=int, default=2000,
                        help="replica size of the profiled crawl (default 2000)")
    parser.add_argument("--memory-articles", default="",
                        help="replica sizes of the memory crawls, e.g. 2000,20000 (default: "
                             "those of --quick or --full); the target compares the first two")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be 3 or more: every figure is a median with its spread")
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    try:
        args.memory_articles = tuple(int(n) for n in args.memory_articles.split(",") if n)
    except ValueError:
        parser.error("--memory-articles takes article counts, e.g. 2000,20000")
    if args.memory_articles and (len(args.memory_articles) < 2
                                 or min(args.memory_articles) < 1):
        parser.error("--memory-articles takes at least two positive sizes")
    return args


def run_sections(ctx: Context, names: list[str]) -> tuple[list[Figure], dict[str, float]]:
    """Run the sections named, in their order; a failing one leaves an error line."""
    figures: list[Figure] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for name in [s for s in SECTIONS if s in names]:
        print(f"[{time.perf_counter() - started:6.0f} s] {name} …", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        try:
            figures.extend(SECTIONS[name](ctx))
        except Exception as error:
            traceback.print_exc()
            figures.append(error_figure(f"{number(name)} {name}", error))
        timings[name] = round(time.perf_counter() - section_started, 1)
    return figures, timings


def save(out: Path, report: dict[str, Any]) -> Path:
    """``bench-<UTC time>.json`` and ``latest.json``, the same text."""
    text = json.dumps(report, ensure_ascii=False, indent=1)
    path = out / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(text, encoding="utf-8")
    (out / "latest.json").write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = FULL if args.mode == "full" else QUICK
    if args.memory_articles:
        sizes = replace(sizes, memory_articles=args.memory_articles)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    machine = machine_info(sizes.mode, args.runs)
    ctx = Context(sizes, args.runs, Runner(args.out))
    started = time.perf_counter()
    figures, timings = run_sections(ctx, [] if args.profile_only else args.only)
    profiled: dict[str, Any] = {}
    if args.profile or args.profile_only:
        try:
            profiled = profile(ctx.runner, args.profile_articles, args.out)
        except Exception as error:
            traceback.print_exc()
            figures.append(error_figure("profile", error))
    machine["load_after"] = load_average()
    machine["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True,
                                       check=False).stdout.strip()
    machine["bench_seconds"] = round(time.perf_counter() - started, 1)
    if figures:
        print("", *title_lines(machine), *table_lines(figures), sep="\n")
    path = save(args.out, {"machine": machine, "sizes": asdict(sizes), "section_seconds": timings,
                           "rows": [f.as_dict() for f in figures], "profile": profiled,
                           "extras": ctx.extras})
    print(f"\nsaved {path} (and latest.json); {machine['bench_seconds']:.0f} s in all")
    return 1 if any(f.text == "error" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
