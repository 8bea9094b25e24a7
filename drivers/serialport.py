"""Opening a serial port, with pyserial's errors translated once into the driver's."""

from __future__ import annotations

import errno
import os
import termios

import serial

from drivers.errors import DeviceNotFound, DeviceUnavailable

# What pyserial lets escape from a port that died under it: termios.error (not an OSError)
# from a pulled USB adapter, TypeError/AttributeError from a port it closed itself.
PORT_ERRORS = (serial.SerialException, OSError, termios.error, TypeError, AttributeError)


def open_serial(port: str, baudrate: int, timeout: float) -> serial.Serial:
    """Open ``port`` raw (8N1, no flow control); typed errors when it is missing or busy."""
    if not os.path.exists(port):
        raise DeviceNotFound(f"no device at {port}")
    try:
        conn = serial.Serial(port=port, baudrate=baudrate, timeout=timeout, write_timeout=timeout,
                             exclusive=True)
    except serial.SerialException as err:
        cause = err.__cause__ if isinstance(err.__cause__, OSError) else None
        if (cause and cause.errno == errno.ENOENT) or getattr(err, "errno", None) == errno.ENOENT:
            raise DeviceNotFound(f"no device at {port}") from err
        raise DeviceUnavailable(f"cannot open {port}: {err}") from err
    except (OSError, ValueError) as err:
        raise DeviceUnavailable(f"cannot open {port}: {err}") from err
    return conn


def port_failed(conn: serial.Serial, what: str, err: BaseException) -> DeviceUnavailable:
    """The error for a port that failed: DeviceNotFound when its node is gone (a pulled
    adapter is reported once, as no_device, not first as offline)."""
    port = getattr(conn, "port", None)
    if isinstance(port, str) and port and not os.path.exists(port):
        return DeviceNotFound(f"{what} failed: no device at {port}")
    return DeviceUnavailable(f"{what} failed: {err}")


def read_exactly(conn: serial.Serial, n: int) -> bytes:
    """Read up to ``n`` bytes within the port's timeout; a dead port is DeviceUnavailable."""
    try:
        return conn.read(n)
    except PORT_ERRORS as err:
        raise port_failed(conn, "read", err) from err


def discard_input(conn: serial.Serial) -> None:
    """Drop stale bytes waiting in the input buffer (before sending a command)."""
    try:
        conn.reset_input_buffer()
    except PORT_ERRORS as err:
        raise port_failed(conn, "port", err) from err


def write_all(conn: serial.Serial, data: bytes) -> None:
    try:
        conn.write(data)
        conn.flush()
    except PORT_ERRORS as err:
        raise port_failed(conn, "write", err) from err


def bytes_waiting(conn: serial.Serial) -> int:
    """How many bytes can be read at once without waiting."""
    try:
        return conn.in_waiting
    except PORT_ERRORS as err:
        raise port_failed(conn, "port", err) from err
