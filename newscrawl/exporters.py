"""Output that stays whole when the process is killed.

Two pieces, registered in ``settings.py``:

* :class:`AtomicJsonLinesItemExporter` (feed format ``jsonl-atomic``): each line goes to the
  file with ONE unbuffered ``os.write`` of the encoded line and its newline, so a line is in
  the file (the page cache, which survives ``kill -9``) before ``item_scraped`` handlers run,
  and nothing of it waits in a Python buffer.
* :class:`StagedFileFeedStorage` (schemes ``""`` and ``file``): a feed is written to
  ``<path>.part`` and renamed to ``<path>`` when the feed closes. Linux may cut a write of
  several pages short when SIGKILL arrives in its middle, so a killed run can leave a partial
  last line; it is only ever in a ``.part`` file, which the next run repairs (cuts back to the
  last newline) and publishes (:func:`newscrawl.state.journal.publish_part_files`). Published
  ``.jsonl`` files therefore hold only whole lines.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes
from w3lib.url import file_uri_to_path

if TYPE_CHECKING:
    from io import BytesIO

    from scrapy import Spider

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"


def write_fully(fd: int, data: bytes) -> None:
    """Write *data* with one ``os.write``, looping only on a short write (disk full, signal)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fileno(file: Any) -> int | None:
    try:
        return int(file.fileno())
    except (AttributeError, OSError, ValueError):
        return None  # a post-processing wrapper (gzip, …): no descriptor to write to


class AtomicJsonLinesItemExporter(JsonLinesItemExporter):
    """JSON Lines, one ``os.write`` per line (format ``jsonl-atomic``)."""

    def __init__(self, file: BytesIO, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._fd = _fileno(file)

    def start_exporting(self) -> None:
        self.file.flush()  # nothing may sit in the Python buffer ahead of our writes

    def export_item(self, item: Any) -> None:
        line = self.encoder.encode(dict(self.get_serialized_fields(item))) + "\n"
        data = to_bytes(line, self.encoding)
        if self._fd is None:
            self.file.write(data)
            self.file.flush()
        else:
            write_fully(self._fd, data)


class StagedFileFeedStorage:
    """A local feed written as ``<path>.part`` and renamed to ``<path>`` when it closes."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        self.part_path = self.path.with_name(self.path.name + PART_SUFFIX)
        self.overwrite = bool((feed_options or {}).get("overwrite", False))

    def open(self, spider: Spider) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.part_path.open("ab")

    def store(self, file: IO[bytes]) -> None:
        file.close()
        publish(self.part_path, self.path, overwrite=self.overwrite)


def publish(part_path: Path, path: Path, *, overwrite: bool = False) -> None:
    """Move a finished ``.part`` file to its final name (appending when that exists)."""
    if overwrite or not path.exists():
        os.replace(part_path, path)
        return
    with part_path.open("rb") as source, path.open("ab") as target:
        while chunk := source.read(1 << 20):
            write_fully(target.fileno(), chunk)
    part_path.unlink()
