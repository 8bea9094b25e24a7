"""The line every bench prints first: CPU model, cores, RAM, Python and the versions of the
libraries it measures, so that figures are never read without the machine they came from."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def describe(*dists: str) -> str:
    """``machine: <cpu>, <n> cores, <ram> GB RAM, Python x.y.z, <dist> <version>, ...``"""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GB RAM, "
                break
    except (OSError, ValueError, IndexError):
        pass
    libs = []
    for dist in dists:
        try:
            libs.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            libs.append(f"{dist} -")
    return (f"machine: {model}, {os.cpu_count()} cores, {ram}Python {platform.python_version()}"
            + "".join(f", {lib}" for lib in libs))
