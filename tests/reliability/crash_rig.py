"""The parts of the crash test (``test_crash_anywhere.py``): the kiosk's config and
enrollment, the agent kept alive while the backend kills it, and one life of the "UI"."""

from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from kiosk.client import CountyClient
from kiosk.config import load_config
from kiosk.crypto import DataKey
from kiosk.signing import DeviceKey
from tests.reliability.backend import Backend

REPO = Path(__file__).resolve().parents[2]
DEVICE_ID = "ZZ-EQ-0042"
#: The agent dies at one of its next 1..AGENT_REQUESTS requests (or of its next few posts of one kind).
AGENT_REQUESTS = 100
WAIT_S = 600  # for anything to happen at all: generous, a shared machine is slow


def write_config(folder: Path, url: str) -> Path:
    path = folder / "kiosk.toml"
    path.write_text(f"""
[identity]
device_id = "{DEVICE_ID}"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
location = "大学路街道便民服务中心大厅"

[backend]
url = "{url}"

[paths]
data_dir = "data"
runtime_dir = "run"

[agent]
retry_cap_s = 5

[retention]
delivered_grace_s = 604800  # keep the delivered bodies, to compare them with the backend's
""", encoding="utf-8")
    return path


def enroll(config_path: Path, backend: Backend) -> None:
    """What ``kiosk-provision init`` does: the keys, and the machine enrolled."""
    config = load_config(config_path)
    key = DeviceKey.load_or_create(config.path(config.paths.device_key))
    DataKey.load_or_create(config.path(config.paths.data_key))
    client = CountyClient.from_config(config, key)
    try:
        client.enroll(backend.token(), key.public_key_b64(), config.identity)
    finally:
        client.close()


class AgentKeeper:
    """Runs ``kiosk-agent``, arms its next death at the backend, restarts it when it dies."""

    def __init__(self, config_path: Path, backend: Backend, rng: random.Random, log: Path) -> None:
        self.config_path, self.backend, self.rng, self.log = config_path, backend, rng, log
        self.process: subprocess.Popen | None = None
        self.killing = True
        self.stopping = False
        self.deaths = 0
        self.failure = ""
        self._thread = threading.Thread(target=self._keep, name="agent-keeper", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiosk.agent_main", "--config", str(self.config_path)],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log)
        if self.killing:
            recorder, process = self.backend.recorder, self.process
            choice = self.rng.random()
            if choice < 0.2:  # after the backend created a case, before the agent hears of it
                recorder.arm(process, 6, path="/transactions", phase="after")
            elif choice < 0.3:
                recorder.arm(process, 6, path="/ratings", phase="after")
            else:
                recorder.arm(process, AGENT_REQUESTS)

    def _keep(self) -> None:
        while True:
            code = self.process.wait()
            if self.stopping:
                return
            if code != -signal.SIGKILL:
                self.failure = f"the agent exited by itself with {code} (see {self.log})"
                return
            self.deaths += 1
            self._spawn()

    def stop(self) -> int:
        self.stopping = True
        self.backend.recorder.disarm()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(WAIT_S)
        self._thread.join(WAIT_S)
        return code


class UiRun:
    """One life of the visitor process: its lines arrive through a queue."""

    def __init__(self, config_path: Path, first_visit: int, die_after: int, log: Path) -> None:
        self.log = log
        with open(log, "ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.visitor", str(config_path), str(first_visit),
                 str(die_after)],
                cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=err)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.ended = False  # its stdout has closed (all its lines have been taken)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.process.stdout:  # whole lines only: a line cut by the kill has no "\n"
            if raw.endswith(b"\n"):
                self.lines.put(raw.decode().rstrip("\n"))
        self.lines.put(None)

    def next_line(self) -> str | None:
        """The next whole line; None once it is dead and every line has been taken."""
        if self.ended:
            return None
        line = self.lines.get(timeout=WAIT_S)
        self.ended = line is None
        return line

    def kill(self) -> list[str]:
        """SIGKILL (unless it did so itself); the whole lines it wrote before dying."""
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(WAIT_S) == -signal.SIGKILL, f"the UI died by itself (see {self.log})"
        rest = []
        while (line := self.next_line()) is not None:
            rest.append(line)
        self.process.stdout.close()
        return rest


def local_rows(data_dir: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{data_dir / 'outbox.db'}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
