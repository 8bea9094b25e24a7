"""The supervisor turns a device's typed errors into health, reconnects by itself within
2 s, and shares the transport with foreground work. The device here is a real pty read
through pyserial (an echo device), not a mock."""

import threading
import time

import pytest

from drivers.emulator import SerialEmulator
from drivers.errors import DeviceUnavailable, HardwareError, UserActionNeeded
from drivers.health import DeviceState
from drivers.serialport import open_serial, read_exactly, write_all
from drivers.supervisor import DeviceSupervisor
from tests.waiting import wait_for


class EchoEmulator(SerialEmulator):
    name = "echo"

    def __init__(self):
        super().__init__()
        self.fault = b""

    def on_bytes(self, data):
        self.reply(self.fault or data)


class EchoDriver(DeviceSupervisor):
    """Sends 'ping' each cycle; 'HW' back is a hardware fault, 'PAPER' needs a person."""

    def __init__(self, port):
        super().__init__("echo", reconnect_interval=0.1, poll_interval=0.05)
        self.port = port
        self.conn = None

    def open(self):
        self.conn = open_serial(self.port, 115200, 0.3)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def poll(self):
        with self._io_lock:
            write_all(self.conn, b"ping")
            answer = read_exactly(self.conn, 4)
        if not answer:
            raise DeviceUnavailable("no answer")
        if answer.startswith(b"HW"):
            raise HardwareError("device fault")
        if answer.startswith(b"PAPE"):
            raise UserActionNeeded("paper out")
        self.health.count("operations")
        self.health.set(DeviceState.ONLINE)

    def send(self, data):
        with self.exclusive():
            write_all(self.conn, data)
            return read_exactly(self.conn, len(data))


@pytest.fixture
def rig():
    emu = EchoEmulator().start()
    drv = EchoDriver(emu.path)
    yield emu, drv
    drv.stop()
    emu.stop()


def test_online_then_unplug_then_back(rig):
    emu, drv = rig
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    heard = []
    drv.health.add_listener(lambda report: heard.append(report.state))
    emu.unplug()
    t0 = time.monotonic()
    assert wait_for(lambda: drv.health.state == DeviceState.NO_DEVICE)  # the node is gone
    assert time.monotonic() - t0 < 2.0
    time.sleep(0.3)  # several reconnect attempts: still one report
    emu.plug()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    assert heard == [DeviceState.NO_DEVICE, DeviceState.ONLINE]  # the loss once, the recovery once
    assert drv.health.snapshot().counters["reconnects"] == 1


def test_silent_device_goes_offline_and_recovers(rig):
    emu, drv = rig
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    emu.silent = True
    assert wait_for(lambda: drv.health.state == DeviceState.OFFLINE)
    emu.silent = False
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)


def test_faults_map_to_states(rig):
    emu, drv = rig
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    emu.fault = b"HW!!"
    assert wait_for(lambda: drv.health.state == DeviceState.HARDWARE_ERROR)
    emu.fault = b"PAPER"
    assert wait_for(lambda: drv.health.state == DeviceState.USER_ERROR)
    emu.fault = b""
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    assert drv.health.snapshot().counters["errors"] >= 2


def test_missing_port_is_no_device_and_foreground_refused(tmp_path):
    drv = EchoDriver(str(tmp_path / "nothing"))
    drv.start()
    try:
        assert wait_for(lambda: drv.health.state == DeviceState.NO_DEVICE)
        with pytest.raises(DeviceUnavailable):
            drv.send(b"x")
    finally:
        drv.stop()


def test_foreground_work_shares_the_port(rig):
    emu, drv = rig
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    results = []

    def worker():
        for _ in range(20):
            results.append(drv.send(b"abcd"))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [b"abcd"] * 40  # never a 'ping' answer read by the wrong party
    assert drv.health.state == DeviceState.ONLINE


def test_stop_ends_thread_and_frees_port(rig):
    emu, drv = rig
    drv.start()
    assert wait_for(lambda: drv.health.state == DeviceState.ONLINE)
    drv.stop()
    assert not drv.running and drv.conn is None
    assert drv.health.state == DeviceState.OFFLINE


class SlowDriver(DeviceSupervisor):
    """A poll that takes longer than stop() waits, as a card read can."""

    def __init__(self):
        super().__init__("slow", reconnect_interval=0.05, poll_interval=0.0)
        self.inside = 0
        self.most_inside = 0
        self.lock = threading.Lock()

    def open(self):
        pass

    def close(self):
        pass

    def poll(self):
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        time.sleep(0.6)
        with self.lock:
            self.inside -= 1


def test_restart_never_runs_two_loops():
    drv = SlowDriver().start()
    try:
        assert wait_for(lambda: drv.inside == 1)
        drv.stop(timeout=0.1)  # returns while the poll is still running
        assert not drv.running
        drv.start()  # waits for the old loop to end first
        time.sleep(1.0)
        alive = [t for t in threading.enumerate() if t.name == "drv-slow"]
        assert len(alive) == 1
        assert drv.most_inside == 1
    finally:
        drv.stop()
