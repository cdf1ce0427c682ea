"""This process's memory figures as Linux keeps them in ``/proc/self/status`` (``VmRSS``,
``VmHWM``, ``VmData``, …, in kB): for the benchmarks' peaks and the parse workers' memory cap.
Where there is no ``/proc``, there are no figures (None)."""

from __future__ import annotations

from pathlib import Path

STATUS = Path("/proc/self/status")


def status_kib(text: str, key: str) -> int | None:
    """A ``kB`` figure of the text of ``/proc/<pid>/status``, or None."""
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == key:
            return int(value.split()[0])
    return None


def status_bytes(key: str) -> int | None:
    """A figure of this process's ``/proc/self/status`` (``VmHWM``, ``VmData``), in bytes."""
    try:
        text = STATUS.read_text(encoding="ascii")
    except OSError:
        return None
    kib = status_kib(text, key)
    return None if kib is None else kib * 1024
