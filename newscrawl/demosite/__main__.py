"""``python -m newscrawl.demosite serve|truth|dump``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import cast

from newscrawl.demosite.dump import dump_pages
from newscrawl.demosite.faults import FaultConfig, FaultyHandler, parse_faults
from newscrawl.demosite.generator import DEFAULT_BASE_URL, THEMES, DemoSite, parse_themes
from newscrawl.demosite.server import handle, make_server
from newscrawl.demosite.truth import iter_truth

logger = logging.getLogger(__name__)


def _site_args(p: argparse.ArgumentParser, faults: bool = True) -> None:
    p.add_argument("--articles", type=int, default=300, help="articles on day 0 (10-100000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--day", type=int, default=0, help="the site this many days later")
    p.add_argument("--themes", type=_themes_arg, default=None, metavar="mix|new|NAME[,NAME]",
                   help="article templates: mix (all), new (all but kangnam) or names among "
                        f"{', '.join(THEMES)}; each article's theme is drawn from (seed, id) "
                        "(default: kangnam only, the site as modelled)")
    if not faults:
        return
    # --- Faults (newscrawl.demosite.faults)
    p.add_argument("--faults", type=_faults_arg, default=None, metavar="SEED:RATE",
                   help="misbehave on a share RATE of the articles, chosen by SEED (7:0.15)")
    p.add_argument("--fault-stall", type=float, default=35.0, metavar="SECONDS",
                   help="how long a stalled answer waits (default 35)")
    p.add_argument("--fault-large-bytes", type=int, default=11 * 1024 * 1024, metavar="N",
                   help="size of a too-large page (default 11 MiB)")


def _themes_arg(text: str) -> tuple[str, ...]:
    try:
        return parse_themes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _faults_arg(text: str) -> FaultConfig:
    try:
        return parse_faults(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fault_config(args: argparse.Namespace) -> FaultConfig | None:
    if args.faults is None:
        return None
    return cast(FaultConfig, replace(args.faults, stall_seconds=args.fault_stall,
                                     large_bytes=args.fault_large_bytes))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.demosite",
                                     description="The Kangnam Times replica site.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the replica over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765, help="0 takes a free port")
    serve.add_argument("--quiet", action="store_true", help="do not log requests")
    serve.add_argument("--request-log", default=None, metavar="PATH",
                       help="append 'METHOD TARGET STATUS HOST' per request to PATH")
    _site_args(serve)
    truth = sub.add_parser("truth", help="write the ground truth as JSON Lines")
    truth.add_argument("--base-url", default=DEFAULT_BASE_URL)
    _site_args(truth)
    dump = sub.add_parser("dump", help="save each article page as {id}.html with its truth "
                                       "as {id}.json (for python -m newscrawl.quality)")
    dump.add_argument("folder", type=Path)
    dump.add_argument("--base-url", default=DEFAULT_BASE_URL)
    dump.add_argument("--amp", action="store_true", help="save the AMP pages instead")
    _site_args(dump, faults=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "dump":
        site = DemoSite(args.articles, args.seed, args.day, args.base_url, themes=args.themes)
        dump_pages(site, args.folder, amp=args.amp)
        return 0
    if args.command == "truth":
        try:
            for record in iter_truth(args.articles, args.seed, args.day, args.base_url,
                                     faults=_fault_config(args), themes=args.themes):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (| head): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    faults = _fault_config(args)
    server = make_server(args.host, args.port, args.articles, args.seed, args.day,
                         quiet=args.quiet,
                         handler=FaultyHandler(faults) if faults else handle,
                         themes=args.themes)
    if args.request_log:
        server.request_log = open(args.request_log, "a", encoding="utf-8")  # noqa: SIM115
    print(f"serving {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()
        if server.request_log is not None:
            server.request_log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
