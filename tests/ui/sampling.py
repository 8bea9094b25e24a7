"""What a long run samples to show it does not grow: RSS, open files, threads, objects.

``Samples.take(extra)`` records one sample; ``Samples.growth(...)`` compares the median of
a window after the warm-up with the median of the last window, per measure, and says which
grew beyond its bound. Medians of windows, not single points: a garbage collection or a
worker thread alive at the moment of one sample does not make a trend. Nothing here is a
timing.
"""

from __future__ import annotations

import gc
import statistics
import threading
from dataclasses import dataclass, field

import psutil


@dataclass
class Samples:
    rows: list[dict[str, float]] = field(default_factory=list)

    def take(self, **extra: float) -> dict[str, float]:
        process = psutil.Process()
        row = {
            "rss_mb": process.memory_info().rss / 2**20,
            "fds": process.num_fds(),
            "threads": threading.active_count(),
            "os_threads": process.num_threads(),
            "gc_objects": len(gc.get_objects()) + gc.get_freeze_count(),  # frozen ones too
            **extra,
        }
        self.rows.append(row)
        return row

    def window(self, start: int, size: int, measure: str) -> float:
        return statistics.median(r[measure] for r in self.rows[start:start + size])

    def growth(self, bounds: dict[str, float], warm_up: int, size: int) -> list[str]:
        """Measures whose median over the last ``size`` samples exceeds their median over
        the ``size`` samples after ``warm_up`` by more than ``bounds[measure]`` (absolute)."""
        if len(self.rows) < warm_up + 2 * size:
            raise ValueError(f"{len(self.rows)} samples are too few for two windows of {size}")
        grown = []
        for measure, bound in bounds.items():
            early = self.window(warm_up, size, measure)
            late = self.window(len(self.rows) - size, size, measure)
            if late - early > bound:
                grown.append(f"{measure}: {early:.1f} → {late:.1f} (bound +{bound})")
        return grown

    def summary(self, measures: list[str], size: int = 20) -> str:
        """Each measure's medians over consecutive windows of ``size`` samples."""
        return "; ".join(f"{m}: " + " ".join(f"{self.window(i, size, m):.0f}"
                                             for i in range(0, len(self.rows) - size + 1, size))
                         for m in measures)
