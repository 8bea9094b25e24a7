"""Waiting for a condition in tests: poll with a deadline instead of sleeping a fixed time."""

import time
from typing import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 2.0, interval: float = 0.01) -> bool:
    """True as soon as ``predicate()`` is truthy; False if ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
