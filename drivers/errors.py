"""Typed errors of the driver layer.

Device-library errors (``serial.SerialException``, ``OSError``, OpenCV failures) are
translated into these once, at the transport boundary (``raise DeviceUnavailable(...)
from err``). Each error has a stable ``code`` the UI maps to plain Chinese text; the
English message is for logs and the service menu, never for a citizen.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base of every error the driver layer raises."""

    code = "driver_error"


class CodecError(DriverError, ValueError):
    """Bytes that do not decode to a value: a broken frame, a bad field."""

    code = "codec_error"


class DeviceUnavailable(DriverError):
    """The device cannot be reached now (unplugged, silent, port gone)."""

    code = "device_unavailable"


class DeviceNotFound(DeviceUnavailable):
    """Nothing exists at the configured port."""

    code = "no_device"


class DeviceTimeout(DeviceUnavailable):
    """The device did not answer within the time it is given."""

    code = "timeout"


class HardwareError(DriverError):
    """The device answered and reports a fault of its own."""

    code = "hardware_error"


class UserActionNeeded(DriverError):
    """A person must act: paper out, cover open, card placed wrongly."""

    code = "user_action_needed"
