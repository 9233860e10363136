"""The machine a benchmark ran on, as BENCHMARKS.md names it: figures differ from one machine to the next."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def describe_machine() -> str:
    """One line naming the CPU, cores, memory and Python of this machine."""
    cpu = "unknown CPU"
    try:
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else cpu
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f"{mem_kb / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        memory = "unknown memory"
    return (f"{cpu}, {os.cpu_count()} cores, {memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")

