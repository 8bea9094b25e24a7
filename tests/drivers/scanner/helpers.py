"""Helpers shared by the scanner tests: collect the codes a source hands on (waiting
for them with a deadline from :mod:`tests.waiting`, never a fixed sleep)."""

from __future__ import annotations

import threading

from tests.waiting import wait_for


class Collector:
    """An ``on_code`` callback that keeps what it is given (called from driver threads)."""

    def __init__(self):
        self.codes = []
        self.lock = threading.Lock()

    def __call__(self, code):
        with self.lock:
            self.codes.append(code)

    def texts(self):
        with self.lock:
            return [c.text for c in self.codes]

    def wait_count(self, n, timeout=2.0):
        assert wait_for(lambda: len(self.texts()) >= n, timeout), f"{n} codes, got {self.texts()}"
        return self.texts()
