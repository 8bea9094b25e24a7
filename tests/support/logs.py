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
    # pytest's handlers sit on the root and also on loggers that do not propagate (the
    # emulators' raw traffic log, drivers.serial.raw): set aside wherever they are
    loggers = [root, *(logger for logger in logging.root.manager.loggerDict.values()
                       if isinstance(logger, logging.Logger))]
    aside = [(logger, handler) for logger in loggers for handler in list(logger.handlers)
             if type(handler).__module__.startswith("_pytest")]
    null = open(os.devnull, "w", encoding="utf-8")
    sink = logging.StreamHandler(null)
    sink.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    warnings = _Warnings()
    for logger, handler in aside:
        logger.removeHandler(handler)
    root.addHandler(sink)
    root.addHandler(warnings)
    try:
        yield warnings.records
    finally:
        root.removeHandler(warnings)
        root.removeHandler(sink)
        null.close()
        for logger, handler in aside:
            logger.addHandler(handler)
