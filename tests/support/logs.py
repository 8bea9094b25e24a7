"""Logging for tests that measure memory over thousands of visits or deliveries.

pytest keeps every log record of a test in memory for its report (and ``caplog``), so a record
per delivery grows the test process by tens of MB over 10,000 rows: pytest's growth, not the
kiosk's. :func:`records_not_kept` sets pytest's handlers aside for a while; every record still
goes through logging and is formatted (into a null stream, as a journal would take it), and
the warnings and errors are kept for the test to count.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Iterator


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def records_not_kept() -> Iterator[list[logging.LogRecord]]:
    """Yields the list of WARNING-and-above records logged meanwhile."""
    root = logging.getLogger()
    pytest_handlers = [h for h in root.handlers if type(h).__module__.startswith("_pytest")]
    null = open(os.devnull, "w", encoding="utf-8")
    sink = logging.StreamHandler(null)
    sink.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    warnings = _Warnings()
    for handler in pytest_handlers:
        root.removeHandler(handler)
    root.addHandler(sink)
    root.addHandler(warnings)
    try:
        yield warnings.records
    finally:
        root.removeHandler(warnings)
        root.removeHandler(sink)
        null.close()
        for handler in pytest_handlers:
            root.addHandler(handler)
