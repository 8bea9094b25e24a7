"""The reference county backend in a process of its own, for the reliability tests.

``python -m tests.reliability.county_process DB_PATH`` serves ``county.app`` on an ephemeral
loopback port, prints one JSON line ``{"url": ..., "token": ...}`` (a single-use enrollment
token) and serves until stdin closes or SIGTERM. The per-device rate limit is off: these tests
drain thousands of requests, and the limit has tests of its own (``tests/county``).

A process apart keeps the kiosk's memory figures the kiosk's own, and lets the backend use
the other core.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path


def main(db_path: str) -> None:
    import uvicorn

    from county.admin import create_token
    from county.app import create_app
    from county.db import Database

    url = f"sqlite:///{db_path}"
    database = Database(url)
    app = create_app(url, database=database, rate_per_s=0)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("the county backend did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    token = create_token(database, time.time())["token"]
    print(json.dumps({"url": f"http://127.0.0.1:{port}", "token": token}), flush=True)
    sys.stdin.read()  # until the test closes our stdin (or kills us)
    server.should_exit = True
    thread.join(10)
    database.dispose()


class CountyProcess:
    """Starts and stops :func:`main` in a child process; ``url`` and ``token`` once started."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.url = ""
        self.token = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> "CountyProcess":
        root = Path(__file__).resolve().parents[2]
        self._proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.county_process", str(self.db_path)],
                                      cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.kill()
            raise RuntimeError("the county process did not start")
        started = json.loads(line)
        self.url, self.token = started["url"], started["token"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)


if __name__ == "__main__":
    main(sys.argv[1])
