"""One call of an entry point under a time limit, allowed to fail only with its typed errors.

The call runs in a worker thread joined with a timeout, so a hang is caught whether it loops
in Python or sits inside C (a regex, a decoder); a call still running then fails the test
(its thread is a daemon and is left behind). The limit is generous: the machine running the
suite is shared, and what is caught is a hang, not slowness.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

#: Seconds one call may take before it counts as hung.
CALL_LIMIT_S = 20.0


def typed_only(call: Callable[[], Any], allowed: type[BaseException] | tuple[type[BaseException], ...] = (),
               limit_s: float = CALL_LIMIT_S) -> Any:
    """``call()``'s value; re-raises an error that is none of ``allowed`` (the test fails), and
    returns the error itself when it is one of them (for the caller to look at)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as err:  # judged below, in the test's thread
            outcome["error"] = err

    worker = threading.Thread(target=run, name="fuzz-call", daemon=True)
    worker.start()
    worker.join(limit_s)
    if worker.is_alive():
        pytest.fail(f"{getattr(call, '__name__', call)!s} still running after {limit_s:g} s: a hang")
    if "error" in outcome:
        err = outcome["error"]
        if allowed and isinstance(err, allowed):
            return err
        raise err
    return outcome.get("value")
