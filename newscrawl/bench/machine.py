"""The machine a benchmark ran on: cores, CPU, versions and its load before and after."""

from __future__ import annotations

import contextlib
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    with contextlib.suppress(OSError):
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_info(mode: str, runs: int) -> dict[str, Any]:
    import scrapy

    return {
        "mode": mode,
        "runs": runs,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_model": cpu_model(),
        "memory_total_bytes": psutil.virtual_memory().total,
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "platform": platform.platform(),
        "load_before": load_average(),
    }


def title_lines(machine: dict[str, Any]) -> list[str]:
    """The two lines above the table: the mode and date, the machine and its load."""
    return [
        f"newscrawl benchmark ({machine['mode']}, {machine['runs']} runs per figure; median, "
        f"min, max) {machine['date']}",
        f"machine: {machine['cores']} cores ({machine['cpu_model']}), Python "
        f"{machine['python']}, Scrapy {machine['scrapy']}; load average "
        f"{machine['load_before']} before, {machine.get('load_after', '?')} after",
    ]
