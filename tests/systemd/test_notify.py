"""kiosk.notify speaks systemd's notify protocol to a real AF_UNIX datagram socket."""

from __future__ import annotations

import os

import pytest

from kiosk import notify
from tests.systemd.notify_socket import NotifySocket


@pytest.fixture
def systemd(tmp_path):
    sock = NotifySocket(tmp_path)
    yield sock
    sock.close()


def test_ready_status_watchdog_stopping_arrive_as_datagrams(systemd) -> None:
    env = systemd.env()
    assert notify.ready(status="showing home", env=env)
    assert notify.watchdog(env=env)
    assert notify.status("delivering\n3 rows", env=env)
    assert notify.stopping(env=env)
    assert systemd.drain() == ["READY=1\nSTATUS=showing home", "WATCHDOG=1", "STATUS=delivering 3 rows",
                               "STOPPING=1"]


def test_an_abstract_socket_is_named_with_an_at_sign() -> None:
    sock = NotifySocket(abstract=True)
    try:
        assert sock.env_value.startswith("@")
        assert notify.ready(env=sock.env())
        assert sock.drain() == ["READY=1"]
    finally:
        sock.close()


def test_nothing_is_sent_without_a_socket_and_nothing_fails_when_it_is_gone(tmp_path) -> None:
    assert notify.ready(env={}) is False
    assert notify.watchdog(env={"NOTIFY_SOCKET": ""}) is False
    assert notify.watchdog(env={"NOTIFY_SOCKET": "relative/path"}) is False
    assert notify.watchdog(env={"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}) is False  # systemd went away
    with pytest.raises(ValueError):
        notify.send("READY=1\nWATCHDOG=1", env={"NOTIFY_SOCKET": "/x"})  # one field per argument


def test_the_watchdog_interval_is_for_the_watched_process_or_its_child() -> None:
    me, parent = os.getpid(), os.getppid()
    assert notify.watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert notify.watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(me)}) == 30.0
    # the kiosk under cage: WATCHDOG_PID is cage's, our parent's
    assert notify.watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(parent)}) == 30.0
    assert notify.watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, pid=50, parent=40) is None
    assert notify.watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert notify.watchdog_interval({"WATCHDOG_USEC": "soon"}) is None
    assert notify.watchdog_interval({}) is None
    assert notify.ping_every({"WATCHDOG_USEC": "30000000"}) == 15.0


def test_the_watchdog_pings_at_most_every_quarter_interval(systemd) -> None:
    now = [100.0]
    dog = notify.Watchdog(systemd.env(watchdog_s=8.0), clock=lambda: now[0])
    assert dog.watched and dog.gap_s == 2.0
    sent = []
    for _ in range(10):  # a loop turning every half second for 5 s
        sent.append(dog.beat())
        now[0] += 0.5
    assert sent == [True, False, False, False] * 2 + [True, False]
    assert systemd.drain() == ["WATCHDOG=1"] * 3
    unwatched = notify.Watchdog({"NOTIFY_SOCKET": systemd.env_value})
    assert not unwatched.watched and unwatched.beat() is False
    assert systemd.drain() == []
