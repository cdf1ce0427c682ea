"""``make demo``: serve the replica, crawl it with ``scrapy crawl``, print a summary.

Run as ``python -m newscrawl.demo [--articles 300] [--output output/demo.jsonl] [--no-js]``.
The crawl is a real ``scrapy crawl kangnamtimes`` subprocess, exactly what a user would type,
with the settings a local mirror allows (no delay, more concurrency).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Settings for crawling a local mirror: the live-site politeness defaults would only slow it.
MIRROR_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
}


@contextmanager
def replica(articles: int, seed: int = 0, day: int = 0, *, port: int = 0,
            options: Sequence[str] = ()) -> Iterator[str]:
    """Serve the replica in a subprocess (on a free port unless ``port``); yield its base URL.

    ``options`` are more ``serve`` options, such as ``["--faults", "7:0.2"]``.
    """
    command = [sys.executable, "-m", "newscrawl.demosite", "serve", "--port", str(port),
               "--articles", str(articles), "--seed", str(seed), "--day", str(day), "--quiet",
               *options]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        first = server.stdout.readline().strip()
        if not first.startswith("serving "):
            raise RuntimeError(f"the replica did not start: {first!r}")
        yield first.removeprefix("serving ")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def truth(base_url: str, articles: int, seed: int = 0, day: int = 0,
          options: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """The replica's ground truth (from its generator, not its pages), by article id."""
    out = subprocess.run(
        [sys.executable, "-m", "newscrawl.demosite", "truth", "--articles", str(articles),
         "--seed", str(seed), "--day", str(day), "--base-url", base_url, *options],
        capture_output=True, text=True, check=True).stdout
    return {t["article_id"]: t for t in map(json.loads, out.splitlines())}


def crawl_command(base_url: str, output: Path, *, js: bool = False,
                  extra: dict[str, str] | None = None) -> list[str]:
    """The ``scrapy crawl`` command line; its state and lock files sit beside ``output``."""
    command = [sys.executable, "-m", "scrapy", "crawl", "kangnamtimes",
               "-a", f"base_url={base_url}", "-O", str(output)]
    if js:
        command += ["-a", "js=1"]
    own_files = {"NEWSCRAWL_STATE_PATH": str(output.with_suffix(".state.sqlite3")),
                 "NEWSCRAWL_LOCK_PATH": str(output.with_suffix(".lock"))}
    for name, value in {**MIRROR_SETTINGS, **own_files, **(extra or {})}.items():
        command += ["-s", f"{name}={value}"]
    return command


def read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def demo_files(output: Path) -> list[Path]:
    """The files earlier demos left beside *output*: outputs (kept aside or recovered ones
    too), rejects, summary, state, log (not the lock files: never deleted)."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return sorted(p for p in output.parent.glob(f"{stem}.*")
                  if p.is_file() and not p.name.endswith(".lock"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--output", type=Path, default=Path("output/demo.jsonl"))
    parser.add_argument("--no-js", dest="js", action="store_false",
                        help="do not render the rankings with Chromium (they hold articles "
                             "no other link reaches)")
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    rejects_path = args.output.with_suffix(".rejects.jsonl")
    summary_path = args.output.with_suffix(".summary.json")

    # The demo shows a first crawl: no state, and none of the earlier demo's files (the output
    # files are the state's journal: a state would be rebuilt from them).
    for old in demo_files(args.output):
        old.unlink()
    log_path = args.output.with_suffix(".log")
    with replica(args.articles) as base_url:
        print(f"replica: {args.articles} articles at {base_url}", flush=True)
        js_arg = " -a js=1" if args.js else ""
        print(f"crawling: scrapy crawl kangnamtimes -a base_url={base_url}{js_arg} -O {args.output}"
              f"  (log: {log_path})", flush=True)
        started = time.monotonic()
        status = subprocess.call(crawl_command(base_url, args.output, js=args.js,
                                               extra={"LOG_FILE": str(log_path)}))
        elapsed = time.monotonic() - started

    articles = read_jsonl(args.output)
    rejects = Counter(str(r.get("reason")) for r in read_jsonl(rejects_path))
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    pages = summary.get("responses", 0)
    print()
    print(f"articles written  {len(articles)}  -> {args.output}")
    print(f"dropped           {sum(rejects.values())}  -> {rejects_path}")
    for reason, count in sorted(rejects.items()):
        print(f"  {reason:<16}{count}")
    print(f"pages fetched     {pages}")
    print(f"elapsed           {elapsed:.1f} s (crawl process, start-up included)")
    if pages and summary.get("elapsed_seconds"):
        print(f"pages per second  {pages / summary['elapsed_seconds']:.0f}")
    print(f"scrapy exit code  {status}")
    verdict = (f"run {'ok' if summary.get('ok') else 'FAILED'}: {summary['verdict']}"
               if summary.get("verdict") else _last_line(log_path))
    if summary.get("rankings"):
        print(f"rankings          {summary['rankings']}")
    if verdict:
        print(f"verdict           {verdict}")
    stem = args.output.with_suffix("")
    for label, suffix in (("dataset card", ".card.md"), ("report", ".report.html")):
        path = stem.with_name(stem.name + suffix)
        if path.exists():
            print(f"{label:<18}{path}")
    return status


def _last_line(path: Path) -> str:
    if not path.exists():
        return ""
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1].split("] ", 1)[-1] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
