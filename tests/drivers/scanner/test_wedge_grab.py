"""The wedge scanner's EVIOCGRAB: claimed on open, released on close, and its refusals
typed. ``fcntl.ioctl`` is replaced by a stand-in here — this machine has no
/dev/uinput, so no real input device can be created to grab — which records the
grab/release calls on the real file descriptor of a FIFO node and can answer EBUSY
(another process holds the grab), ENOTTY (the node is not an input device) or ENODEV
(the device went away) as the kernel would."""

import errno
import fcntl
import os

import pytest

from drivers.errors import DeviceNotFound, DeviceUnavailable
from drivers.health import DeviceState
from drivers.scanner import wedge
from drivers.scanner.wedge import EVIOCGRAB, EventNode, GrabBusy, NotAnInputDevice, WedgeScanner
from tests.drivers.scanner.helpers import Collector
from tests.waiting import wait_for


class FakeIoctl:
    """Stands in for ``fcntl.ioctl``: records EVIOCGRAB calls, fails them with ``errno``."""

    def __init__(self, fail_errno=None):
        self.fail_errno = fail_errno
        self.calls = []
        self.real = fcntl.ioctl

    def __call__(self, fd, request, arg=0, *rest):
        if request != EVIOCGRAB:
            return self.real(fd, request, arg, *rest)
        self.calls.append((fd, arg))
        if self.fail_errno is not None and arg == 1:
            raise OSError(self.fail_errno, os.strerror(self.fail_errno))
        return 0


@pytest.fixture
def node(tmp_path):
    path = str(tmp_path / "usb-Scanner-event-kbd")
    os.mkfifo(path)
    return path


def refused(scanner, ioctl, state):
    """The scanner has tried (and failed) to grab the node twice and reports ``state``
    (OFFLINE is also the state before the first try: the attempts tell them apart)."""
    return len(ioctl.calls) >= 2 and scanner.health.state == state and not scanner.connected


def open_fds():
    return set(os.listdir("/proc/self/fd"))


def test_eviocgrab_is_the_kernels_number():
    assert EVIOCGRAB == 0x40044590  # _IOW('E', 0x90, int) in linux/input.h


def test_open_grabs_and_close_releases_on_the_same_descriptor(node, monkeypatch):
    ioctl = FakeIoctl()
    monkeypatch.setattr(wedge.fcntl, "ioctl", ioctl)
    source = EventNode(node, grab=True)
    source.open()
    ((fd, arg),) = ioctl.calls
    assert arg == 1 and os.fstat(fd).st_ino == os.stat(node).st_ino  # the node's own fd
    source.close()
    assert ioctl.calls == [(fd, 1), (fd, 0)]
    source.close()  # a second close releases nothing more
    assert len(ioctl.calls) == 2


def test_no_grab_when_not_asked(node, monkeypatch):
    ioctl = FakeIoctl()
    monkeypatch.setattr(wedge.fcntl, "ioctl", ioctl)
    source = EventNode(node, grab=False)
    source.open()
    source.close()
    assert ioctl.calls == []


def test_scanner_holds_the_grab_while_running_and_lets_go_on_stop(node, monkeypatch):
    ioctl = FakeIoctl()
    monkeypatch.setattr(wedge.fcntl, "ioctl", ioctl)
    scanner = WedgeScanner(node, Collector(), grab=True, reconnect_interval=0.1).start()
    try:
        assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE), "online"
        assert scanner.health.snapshot().detail["grabbed"] is True
        assert [arg for _, arg in ioctl.calls] == [1]
    finally:
        scanner.stop()
    assert [arg for _, arg in ioctl.calls] == [1, 0]
    assert ioctl.calls[0][0] == ioctl.calls[1][0]
    assert scanner.health.snapshot().detail["grabbed"] is False


@pytest.mark.parametrize("code, error, parent, state", [
    (errno.EBUSY, GrabBusy, DeviceUnavailable, DeviceState.OFFLINE),
    (errno.ENOTTY, NotAnInputDevice, NotAnInputDevice, DeviceState.HARDWARE_ERROR),
    (errno.ENODEV, DeviceNotFound, DeviceNotFound, DeviceState.NO_DEVICE),
], ids=["EBUSY", "ENOTTY", "ENODEV"])
def test_a_refused_grab_is_typed_and_leaks_no_descriptor(node, monkeypatch, code, error, parent, state):
    ioctl = FakeIoctl(fail_errno=code)
    monkeypatch.setattr(wedge.fcntl, "ioctl", ioctl)
    before = open_fds()
    source = EventNode(node, grab=True)
    with pytest.raises(error) as info:
        source.open()
    assert isinstance(info.value, parent) and info.value.code == error.code
    assert open_fds() == before  # the node was closed again
    ioctl.calls.clear()
    with WedgeScanner(node, Collector(), grab=True, reconnect_interval=0.1) as scanner:
        assert wait_for(lambda: refused(scanner, ioctl, state)), state  # not just the initial offline
        assert scanner.health.snapshot().detail["grabbed"] is False and not scanner.connected


def test_grab_busy_clears_when_the_other_holder_lets_go(node, monkeypatch):
    ioctl = FakeIoctl(fail_errno=errno.EBUSY)
    monkeypatch.setattr(wedge.fcntl, "ioctl", ioctl)
    with WedgeScanner(node, Collector(), grab=True, reconnect_interval=0.1) as scanner:
        assert wait_for(lambda: refused(scanner, ioctl, DeviceState.OFFLINE)), "busy"
        ioctl.fail_errno = None  # the desktop released the scanner
        assert wait_for(lambda: scanner.health.state == DeviceState.ONLINE), "online"
        assert scanner.health.snapshot().detail["grabbed"] is True
