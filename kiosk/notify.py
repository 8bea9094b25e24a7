"""systemd's notify protocol (sd_notify) without a dependency: ``READY=1``, ``WATCHDOG=1``,
``STATUS=…``, ``STOPPING=1`` as one datagram to ``$NOTIFY_SOCKET``.

The units (``systemd/kiosk-ui.service``, ``systemd/kiosk-agent.service``) are ``Type=notify``
with ``WatchdogSec=``: the UI pings from Kivy's main loop and the agent from its loop, so a
frozen loop stops the pings and systemd restarts the service.

Nothing is sent, and nothing fails, when ``$NOTIFY_SOCKET`` is unset (a developer's shell, the
tests). A socket whose name starts with ``@`` is in the abstract namespace. A send that fails
(systemd gone, socket removed) returns False and is logged once: a ping must never take the
kiosk down.

The watchdog interval comes from ``$WATCHDOG_USEC``. ``$WATCHDOG_PID``, when set, names the
process systemd watches: that is us, or our parent when we are the child of a compositor that
systemd started (``cage -- kiosk``: cage is the service's main process, the unit says
``NotifyAccess=all`` so the child may ping for it).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

_warned: set[str] = set()


def socket_address(env: Mapping[str, str] | None = None) -> str | bytes | None:
    """Where to send: a path, an abstract name (bytes starting with NUL), or None (unset)."""
    env = os.environ if env is None else env
    name = env.get("NOTIFY_SOCKET", "")
    if not name:
        return None
    if name.startswith("@"):
        return b"\0" + name[1:].encode()
    if not name.startswith("/"):
        return None  # not a unix socket systemd would give (vsock addresses are not ours)
    return name


def send(*fields: str, env: Mapping[str, str] | None = None) -> bool:
    """Send ``fields`` (``"READY=1"``, ``"STATUS=serving"``…) in one datagram; True when sent."""
    address = socket_address(env)
    if address is None or not fields:
        return False
    for field in fields:
        if "=" not in field or "\n" in field:
            raise ValueError(f"not a notify field: {field!r}")
    message = "\n".join(fields).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message, address)
    except OSError as err:
        key = f"{address!r}:{err.errno}"
        if key not in _warned:
            _warned.add(key)
            log.warning("systemd notify socket not reachable: %s", err.strerror or type(err).__name__)
        return False
    return True


def ready(status: str | None = None, env: Mapping[str, str] | None = None) -> bool:
    return send("READY=1", *([f"STATUS={status}"] if status else []), env=env)


def watchdog(env: Mapping[str, str] | None = None) -> bool:
    return send("WATCHDOG=1", env=env)


def status(text: str, env: Mapping[str, str] | None = None) -> bool:
    return send(f"STATUS={' '.join(text.split())}", env=env)


def stopping(env: Mapping[str, str] | None = None) -> bool:
    return send("STOPPING=1", env=env)


def watchdog_interval(env: Mapping[str, str] | None = None, pid: int | None = None,
                      parent: int | None = None) -> float | None:
    """The watchdog timeout in seconds (ping at least twice in it), or None when not watched.

    None also when ``$WATCHDOG_PID`` names a process that is neither us nor our parent: the
    variable was inherited by a grandchild, which must not ping for the service."""
    env = os.environ if env is None else env
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    watched = env.get("WATCHDOG_PID", "")
    if watched:
        pid = os.getpid() if pid is None else pid
        parent = os.getppid() if parent is None else parent
        try:
            if int(watched) not in (pid, parent):
                return None
        except ValueError:
            return None
    return usec / 1_000_000


def ping_every(env: Mapping[str, str] | None = None) -> float | None:
    """How often to ping: half the watchdog interval (systemd's advice), None when not watched."""
    interval = watchdog_interval(env)
    return None if interval is None else interval / 2


class Watchdog:
    """Pings for a loop that calls :meth:`beat` on each turn (and between slow steps of a
    turn), at most every quarter of the watchdog interval; does nothing when not watched.

    Call it only from the loop that must keep turning, never from a side thread: a stuck
    loop must stop the pings."""

    def __init__(self, env: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.env = env
        interval = watchdog_interval(env)
        self.gap_s = None if interval is None else interval / 4
        self.clock = clock
        self._next = float("-inf")

    @property
    def watched(self) -> bool:
        return self.gap_s is not None

    def beat(self) -> bool:
        """A ping when one is due; True when sent."""
        if self.gap_s is None:
            return False
        now = self.clock()
        if now < self._next:
            return False
        self._next = now + self.gap_s
        return watchdog(self.env)
