"""A stand-in for systemd's end of the notify protocol: a real AF_UNIX datagram socket that
collects what a process sends to $NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path


class NotifySocket:
    def __init__(self, folder: Path | None = None, abstract: bool = False) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"kiosk-test-notify-{os.getpid()}-{id(self)}"
            self.sock.bind("\0" + name)
            self.env_value = "@" + name
        else:
            assert folder is not None
            path = folder / "notify.sock"
            self.sock.bind(str(path))
            self.env_value = str(path)
        self.sock.setblocking(False)
        self.messages: list[str] = []

    def env(self, watchdog_s: float | None = None, pid: int | None = None) -> dict[str, str]:
        env = {"NOTIFY_SOCKET": self.env_value}
        if watchdog_s is not None:
            env["WATCHDOG_USEC"] = str(int(watchdog_s * 1_000_000))
            env["WATCHDOG_PID"] = str(os.getpid() if pid is None else pid)
        return env

    def drain(self) -> list[str]:
        """Every datagram that has arrived since the last call."""
        got = []
        while True:
            try:
                got.append(self.sock.recv(4096).decode("utf-8"))
            except BlockingIOError:
                break
        self.messages += got
        return got

    def collect(self, seconds: float, until=None) -> list[tuple[float, str]]:
        """Every datagram for ``seconds`` (or until ``until()``), each with its arrival time."""
        got: list[tuple[float, str]] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until is not None and until()):
            for message in self.drain():
                got.append((time.monotonic(), message))
            time.sleep(0.005)
        for message in self.drain():
            got.append((time.monotonic(), message))
        return got

    def wait_for(self, field: str, timeout: float = 5.0, turn=None) -> list[str]:
        """Collect until a datagram holds ``field`` (``turn()`` is called meanwhile, e.g. to run
        Kivy frames); every datagram collected on the way."""
        deadline = time.monotonic() + timeout
        got: list[str] = []
        while time.monotonic() < deadline:
            got += self.drain()
            if any(field in message.split("\n") for message in got):
                return got
            if turn is not None:
                turn()
            else:
                time.sleep(0.01)
        raise AssertionError(f"no {field} within {timeout} s; got {got}")

    def close(self) -> None:
        self.sock.close()


def count(messages: list[str], field: str) -> int:
    return sum(field in message.split("\n") for message in messages)
