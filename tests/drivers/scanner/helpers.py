"""Helpers shared by the scanner tests: wait for a condition with a deadline (never a
fixed sleep), and collect the codes a source hands on."""

from __future__ import annotations

import threading
import time


def wait_for(condition, timeout=2.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


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
        wait_for(lambda: len(self.texts()) >= n, timeout, f"{n} codes, got {self.texts()}")
        return self.texts()
