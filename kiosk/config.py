"""The kiosk's one TOML config, validated strictly at start (after Frigate).

Every model forbids unknown keys and bounds every field; a device's ``type`` picks its
implementation. :func:`load_config` turns any problem into :class:`ConfigError` whose
message is one line naming the key, e.g.
``/etc/kiosk/kiosk.toml: devices.printer.baudrate: Input should be 9600, 19200, …``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, PrivateAttr, ValidationError

from kiosk.identity import Identity

Baud = Literal[9600, 19200, 38400, 57600, 115200]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- devices: a ``type`` key picks the implementation --------------------------------------
class SerialIdCard(Strict):
    """A SAM_V reader on a serial port (USB-serial adapters included)."""

    type: Literal["serial"]
    port: str = Field("/dev/kiosk/idcard", min_length=1, description="serial device path")
    baudrate: Baud = Field(115200, description="line speed; readers ship at 115200")


class SerialPrinter(Strict):
    """An ESC/POS receipt printer on a serial port."""

    type: Literal["serial"]
    port: str = Field("/dev/kiosk/printer", min_length=1, description="serial device path")
    baudrate: Baud = Field(9600, description="line speed set on the printer")
    paper_width_mm: Literal[58, 80] = Field(80, description="paper roll width")


class SerialScanner(Strict):
    """A QR scanner sending codes over a serial port, CR/LF terminated."""

    type: Literal["serial"]
    port: str = Field("/dev/kiosk/scanner", min_length=1, description="serial device path")
    baudrate: Baud = Field(9600, description="line speed set on the scanner")


class EvdevScanner(Strict):
    """A keyboard-wedge QR scanner, read and grabbed from its evdev node."""

    type: Literal["evdev"]
    port: str = Field("/dev/kiosk/scanner", min_length=1, description="evdev node path")


class CameraScanner(Strict):
    """QR codes read from the camera's frames."""

    type: Literal["camera"]


class V4l2Camera(Strict):
    """A UVC camera through OpenCV (V4L2)."""

    type: Literal["v4l2"]
    port: str = Field("/dev/video0", min_length=1, description="video device path")
    width: int = Field(1280, ge=320, le=4096, description="preview width in pixels")
    height: int = Field(720, ge=240, le=3072, description="preview height in pixels")
    still_width: int = Field(1920, ge=320, le=8192, description="still photo width")
    still_height: int = Field(1080, ge=240, le=6144, description="still photo height")


class Emulated(Strict):
    """The device emulated (over a pty for serial devices): demos and tests."""

    type: Literal["emulated"]


IdCardDevice = Annotated[Union[SerialIdCard, Emulated], Field(discriminator="type")]
PrinterDevice = Annotated[Union[SerialPrinter, Emulated], Field(discriminator="type")]
ScannerDevice = Annotated[Union[SerialScanner, EvdevScanner, CameraScanner, Emulated], Field(discriminator="type")]
CameraDevice = Annotated[Union[V4l2Camera, Emulated], Field(discriminator="type")]


class Devices(Strict):
    """Each device the machine has; a missing one is not configured (its items say so)."""

    idcard: IdCardDevice | None = None
    printer: PrinterDevice | None = None
    scanner: ScannerDevice | None = None
    camera: CameraDevice | None = None


# -- everything else ---------------------------------------------------------------------
class Backend(Strict):
    """The county backend (county-api.md)."""

    url: HttpUrl = Field(description="base URL, e.g. https://zwfw.example.gov.cn/kiosk")
    connect_timeout_s: float = Field(5.0, gt=0, le=60, description="TCP/TLS connect timeout")
    read_timeout_s: float = Field(20.0, gt=0, le=300, description="time to wait for an answer")
    verify_tls: bool = Field(True, description="check the server certificate")
    ca_file: str | None = Field(None, description="extra CA bundle for a county PKI")


class Paths(Strict):
    """Where the kiosk keeps things. Relative paths are taken from the config's folder."""

    data_dir: str = Field("/var/lib/kiosk", description="database, blobs, catalog cache")
    device_key: str = Field("device.key", description="Ed25519 private key (mode 0600)")
    data_key: str = Field("data.key", description="AES-256-GCM key for personal data (mode 0600)")
    runtime_dir: str = Field("/run/kiosk", description="heartbeat and device health for the agent")
    catalog_dir: str | None = Field(None, description="shipped catalog; default: the package's assets/catalog")


class Agent(Strict):
    """Delivery and beacon (kiosk-agent)."""

    beacon_interval_s: int = Field(60, ge=5, le=3600, description="seconds between beacons")
    retry_cap_s: int = Field(300, ge=1, le=300, description="longest back-off between retries")
    ui_stale_after_s: int = Field(30, ge=5, le=600, description="UI heartbeat older than this: UI down")


class Session(Strict):
    """A citizen's visit."""

    idle_timeout_s: int = Field(90, ge=15, le=900, description="no touch this long: ask to continue")
    idle_countdown_s: int = Field(20, ge=5, le=120, description="visible countdown before the wipe")
    elder_idle_timeout_s: int = Field(180, ge=15, le=1800, description="idle timeout in 长辈模式")


class Retention(Strict):
    """How long data stays on the kiosk."""

    delivered_grace_s: int = Field(0, ge=0, le=7 * 86400,
                                   description="keep personal data this long after delivery (default: none)")
    row_days: int = Field(90, ge=1, le=3650, description="keep delivered rows (no personal data) this long")


class Config(Strict):
    identity: Identity
    devices: Devices = Devices()
    backend: Backend
    paths: Paths = Paths()
    agent: Agent = Agent()
    session: Session = Session()
    retention: Retention = Retention()
    _source: str = PrivateAttr("")

    @property
    def source(self) -> str:
        """The file this came from (set by :func:`load_config`)."""
        return self._source

    def path(self, value: str) -> Path:
        """A configured path, relative ones taken from the config file's folder."""
        p = Path(value)
        if p.is_absolute() or not self.source:
            return p
        return Path(self.source).parent / p

    @property
    def data_dir(self) -> Path:
        return self.path(self.paths.data_dir)


class ConfigError(Exception):
    """The config cannot be used; the message is one line naming the key."""


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    return parse_config(raw, str(path))


def parse_config(raw: dict, source: str = "<config>") -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in _key_path(first["loc"]))
        extra = len(err.errors()) - 1
        more = f" (and {extra} more)" if extra else ""
        raise ConfigError(f"{source}: {where or '(top)'}: {first['msg']}{more}") from None
    config._source = source
    return config


def _key_path(loc: tuple) -> list:
    """The TOML key path of an error: pydantic puts the chosen ``type`` after a device name."""
    parts = [part for part in loc if not (isinstance(part, str) and "[" in part)]
    if len(parts) > 2 and parts[0] == "devices":
        del parts[2]
    return parts
