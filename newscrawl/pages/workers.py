"""Article pages parsed in worker processes (``NEWSCRAWL_PARSE_PROCESSES``).

A crawl runs on one core: Scrapy's engine, the parser and the pipelines share one Python
process, and parsing is most of the work it adds to Scrapy's own per page (about 0.8 ms). With
a core to spare, ``NEWSCRAWL_PARSE_PROCESSES = N`` parses article pages in N worker processes
while the engine goes on: the page's bytes go to a worker and the parsed article comes back
pickled, with the page's layout; the page's tree never leaves the worker.

The workers are child processes (``python -m newscrawl.pages.workers``) that read pages on
their stdin and write results on their stdout, length-prefixed pickles, in order; the crawl
reads their answers in the asyncio event loop. No thread is involved: a
:class:`~concurrent.futures.ProcessPoolExecutor` was tried first, and its feeder and manager
threads, contending for the GIL with a busy event loop, cost the crawl process more time per
page than the parse they took away.

The workers parse without a learned template, so a page is parsed again in the crawl process
when the template learner could change its result: its body did not come from the site's
markup (the learner observes such pages: it needs the tree), or a field asked for a template
(the layers above found nothing) and the learner has one for the page's layout. On the
modelled theme neither happens; on a theme the parser does not know, pages are parsed in the
crawl process as without workers.

A worker that dies on a page (a crash in libxml2, the kernel's OOM killer) fails every page it
held: each is tried again alone, in a worker of its own, so only the page that kills that one
is given up (:meth:`ParserPool.parse` raises :class:`~newscrawl.pages.article.PageFailed`, which
:class:`~newscrawl.middlewares.failures.CallbackFailures` turns into a ``parser_crashed``
reject). A page the parser raises on is ``parser_failed``, as in the crawl process. The next
pages start a new worker.

A worker that spends more than ``limit`` seconds on one page (``NEWSCRAWL_PARSE_TIMEOUT_SECONDS``:
a parser caught in a loop, a regular expression backtracking for hours) is killed, and its
pages go the same way: a page that exceeds the limit alone is given up as ``parser_timeout``.
The clock of a page starts when its worker starts on it, once the worker is ready (its imports
done: the worker says so with an empty frame) and its earlier pages answered.

A worker's memory is capped too (``NEWSCRAWL_PARSE_MEMORY_MB`` above what it holds once ready,
as ``RLIMIT_DATA``): a page that needs more makes the parser raise ``MemoryError``, and the page
is rejected as ``parser_failed`` while the worker goes on. Should the machine run out of memory
all the same, a worker asks the kernel to kill it before the crawl (``oom_score_adj``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import resource
import signal
import struct
import sys
from collections import deque
from collections.abc import Sequence
from typing import IO, Any

from newscrawl.pages.article import PageFailed, ParsedArticle, parse_article, parser_failure
from newscrawl.procstatus import status_bytes
from newscrawl.urls import Site

Parsed = tuple[ParsedArticle, frozenset[str] | None]
"""What a worker returns: the parsed page, and the page's layout (its
:func:`~newscrawl.pages.template.skeleton`) when a field asked for a learned template (the
crawl process then asks its learner for a template of that layout)."""

Page = tuple[str, bytes, bytes | None, str | None]
"""What a worker is sent: URL, body, Content-Type header and the response's own encoding."""

_LENGTH = struct.Struct("!I")
CLOSE_SECONDS = 5.0
"""How long a worker may take to leave once its input is closed."""


class WorkerDied(Exception):
    """The worker process exited (or crashed, or was stopped) before answering."""

    def __init__(self, timed_out: bool = False) -> None:
        super().__init__("timed out" if timed_out else "died")
        self.timed_out = timed_out
        """True when the worker was stopped for spending too long on a page."""


def parse_page(site: Site, page: Page) -> Parsed:
    """:func:`~newscrawl.pages.article.parse_article` of a page, as a worker does it."""
    from scrapy.http import HtmlResponse

    url, body, content_type, encoding = page
    headers = {b"Content-Type": content_type} if content_type else {}
    response = HtmlResponse(url, body=body, headers=headers, encoding=encoding)
    parsed = parse_article(response, site)
    tree, parsed.page = parsed.page, None  # the tree stays here
    asked = tree is not None and tree.template_consulted
    return parsed, (tree.skeleton if asked and tree is not None else None)


def serve(site: Site, pages: IO[bytes], answers: IO[bytes]) -> None:
    """A worker's loop: read pages from ``pages``, write each result (or its failure) to
    ``answers``, until end of input."""
    answers.write(_LENGTH.pack(0))  # ready: the parser is imported
    answers.flush()
    while header := pages.read(_LENGTH.size):
        page = pickle.loads(pages.read(_LENGTH.unpack(header)[0]))
        try:
            answer: tuple[bool, Any] = (True, parse_page(site, page))
        except Exception as error:  # the crawl process rejects the page
            failed = parser_failure(error)
            answer = (False, (failed.detail, failed.traceback))
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(_LENGTH.pack(len(data)) + data)
        answers.flush()


class _Worker:
    """One worker process and the answers it owes, oldest first; stopped when it spends more
    than ``limit`` seconds on one page (None: no limit)."""

    def __init__(self, process: asyncio.subprocess.Process, limit: float | None = None) -> None:
        self.process = process
        self.limit = limit
        self.waiting: deque[asyncio.Future[Parsed]] = deque()
        self.alive = True
        self.ready = False
        """True once the worker has said it is ready (its imports done)."""
        self.timed_out = False
        self._clock: asyncio.TimerHandle | None = None
        self.reader = asyncio.ensure_future(self._read())

    def submit(self, page: Page) -> asyncio.Future[Parsed]:
        assert self.process.stdin is not None
        future: asyncio.Future[Parsed] = asyncio.get_running_loop().create_future()
        if not self.alive:
            future.set_exception(WorkerDied(self.timed_out))
            return future
        data = pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(_LENGTH.pack(len(data)) + data)
        self.waiting.append(future)
        if len(self.waiting) == 1:
            self._start_clock()
        return future

    def _start_clock(self) -> None:
        """Time the page the worker is on now (the oldest unanswered), if it is ready."""
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None
        if self.limit is not None and self.ready and self.waiting:
            self._clock = asyncio.get_running_loop().call_later(
                self.limit, self._expire, self.waiting[0])

    def _expire(self, page: asyncio.Future[Parsed]) -> None:
        if self.alive and self.waiting and self.waiting[0] is page:
            self.timed_out = True
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()  # its output ends: _read fails what it held

    async def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            while True:
                header = await self.process.stdout.readexactly(_LENGTH.size)
                length = _LENGTH.unpack(header)[0]
                if not length:  # the worker is ready
                    self.ready = True
                    self._start_clock()
                    continue
                ok, value = pickle.loads(await self.process.stdout.readexactly(length))
                future = self.waiting.popleft()
                self._start_clock()
                if not future.done():
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(PageFailed("parser_failed", *value))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.alive = False
            if self._clock is not None:
                self._clock.cancel()
            while self.waiting:
                future = self.waiting.popleft()
                if not future.done():
                    future.set_exception(WorkerDied(self.timed_out))

    async def close(self) -> None:
        """End the worker: its input closes, and it is killed if it has not left after
        :data:`CLOSE_SECONDS`."""
        self.alive = False
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), CLOSE_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
        await self.reader


class ParserPool:
    """``processes`` worker processes parsing article pages for one crawl, each page within
    ``limit`` seconds and each worker within ``memory_mb`` megabytes (None: no limit)."""

    def __init__(self, site: Site, processes: int, limit: float | None = None,
                 memory_mb: int | None = None,
                 command: Sequence[str] = (sys.executable, "-m", "newscrawl.pages.workers")
                 ) -> None:
        self.site = site
        self.processes = processes
        self.limit = limit
        self.memory_mb = memory_mb
        """The memory a worker may take above what it holds once ready (None: no cap)."""
        self.command = command
        """The worker's command line, before the site's base URL and hosts."""
        self.died = 0
        """Workers that died so far (those stopped at the limit included)."""
        self.timed_out = 0
        """Workers stopped for spending more than the limit on a page."""
        self._workers: list[_Worker] = []
        self._starting: asyncio.Lock | None = None

    async def _start(self) -> _Worker:
        cap = ("--memory-mb", str(self.memory_mb)) if self.memory_mb else ()
        process = await asyncio.create_subprocess_exec(
            *self.command, *cap, self.site.base_url, *sorted(self.site.hosts),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        return _Worker(process, self.limit)

    async def start(self) -> None:
        """Start the workers now (they import the parser while the first pages download)."""
        await self._worker()

    async def _worker(self) -> _Worker:
        """The live worker owing the fewest answers; new ones are started up to the number."""
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            self._workers = [w for w in self._workers if w.alive]
            while len(self._workers) < self.processes:
                self._workers.append(await self._start())
        return min(self._workers, key=lambda worker: len(worker.waiting))

    def _count(self, died: WorkerDied) -> None:
        self.died += 1
        self.timed_out += died.timed_out

    async def parse(self, url: str, body: bytes, content_type: bytes | None,
                    encoding: str | None) -> Parsed:
        """The parsed page; :class:`~newscrawl.pages.article.PageFailed` when the parser
        raised on it, or a worker died on it alone, or spent more than the limit on it alone."""
        page: Page = (url, body, content_type, encoding)
        shared = await self._worker()
        try:
            return await shared.submit(page)
        except WorkerDied as died:
            if shared in self._workers:  # the first of its pages to hear of it
                self._workers.remove(shared)
                self._count(died)
        alone = await self._start()
        try:
            return await alone.submit(page)
        except WorkerDied as died:
            self._count(died)
            if died.timed_out:
                raise PageFailed("parser_timeout", f"parsing took more than {self.limit:g} s, "
                                 "alone; the parser process was stopped") from None
            raise PageFailed("parser_crashed", "a parser process died on this page, "
                             "alone") from None
        finally:
            await alone.close()

    async def close(self) -> None:
        """Stop the workers (the crawl is over)."""
        workers, self._workers = self._workers, []
        await asyncio.gather(*(worker.close() for worker in workers))


def limit_memory(megabytes: int) -> None:
    """Cap the data segment at ``megabytes`` above its size now (``RLIMIT_DATA``: past it an
    allocation fails, which Python and lxml raise as ``MemoryError``), and offer this process
    first to the kernel's OOM killer. Where Linux's ``/proc`` is missing, nothing is capped."""
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w",
                                            encoding="ascii") as adjust:
        adjust.write("1000")
    now = status_bytes("VmData")  # the data segment: heap and private mappings
    if now is not None:
        resource.setrlimit(resource.RLIMIT_DATA,
                           (now + megabytes * 2**20, resource.RLIM_INFINITY))


def main(argv: list[str]) -> int:
    """``python -m newscrawl.pages.workers [--memory-mb N] BASE_URL [HOST …]``: a worker (see
    :func:`serve`). Its answers go to the stdout it was given; anything printed goes to
    stderr."""
    # Ctrl-C reaches the whole process group: it is the crawl's to handle (it stops gracefully,
    # its pages still parsed here, then closes the workers' input, which ends them)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what anything else writes to stdout (C code too) goes to stderr
    sys.stdout = sys.stderr
    if argv[:1] == ["--memory-mb"]:
        limit_memory(int(argv[1]))
        argv = argv[2:]
    site = Site(argv[0], argv[1:])
    with contextlib.suppress(BrokenPipeError):
        serve(site, sys.stdin.buffer, answers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
