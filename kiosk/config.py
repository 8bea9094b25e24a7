"""The kiosk's one TOML config, validated strictly at start (after Frigate).

Every model forbids unknown keys and bounds every field; a device's ``type`` picks its
implementation. :func:`load_config` turns any problem into :class:`ConfigError` whose
message is one line naming the key, e.g.
``/etc/kiosk/kiosk.toml: devices.printer.baudrate: Input should be 9600, 19200, …``.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, PrivateAttr, ValidationError,
                      ValidationInfo, field_validator)

from kiosk.identity import Identity
from kiosk.validation import first_error

Baud = Literal[9600, 19200, 38400, 57600, 115200]
#: Linux's PATH_MAX: a longer path cannot be opened anyway.
MAX_PATH_CHARS = 4096
LOOPBACK_NAMES = ("localhost",)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("a path cannot hold a NUL character")
    return value


#: A file or device path: not empty, bounded, no NUL (which no system call accepts).
PathStr = Annotated[str, Field(min_length=1, max_length=MAX_PATH_CHARS), AfterValidator(_no_nul)]


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or ``localhost``: a backend on this machine (tests, demos)."""
    if not host:
        return False
    name = host.strip("[]").rstrip(".").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _zone(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", name):
        raise ValueError("not an IANA time zone name such as Asia/Shanghai")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("unknown time zone; use an IANA name such as Asia/Shanghai") from None
    return name


TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_zone)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- devices: a ``type`` key picks the implementation --------------------------------------
class SerialIdCard(Strict):
    """A SAM_V reader on a serial port (USB-serial adapters included)."""

    type: Literal["serial"]
    port: PathStr = Field("/dev/kiosk/idcard", description="serial device path")
    baudrate: Baud = Field(115200, description="line speed; readers ship at 115200")


class SerialPrinter(Strict):
    """An ESC/POS receipt printer on a serial port."""

    type: Literal["serial"]
    port: PathStr = Field("/dev/kiosk/printer", description="serial device path")
    baudrate: Baud = Field(9600, description="line speed set on the printer")
    paper_width_mm: Literal[58, 80] = Field(80, description="paper roll width")


class UsbPrinter(Strict):
    """An ESC/POS receipt printer on USB, through the kernel's printer class node (usblp).

    ESC/POS goes to the node and the ``DLE EOT`` status answers are read back from it."""

    type: Literal["usb"]
    port: PathStr = Field("/dev/usb/lp0", description="usblp device node (a udev rule may name it /dev/kiosk/printer)")
    paper_width_mm: Literal[58, 80] = Field(80, description="paper roll width")


class SerialScanner(Strict):
    """A QR scanner sending codes over a serial port, CR/LF terminated."""

    type: Literal["serial"]
    port: PathStr = Field("/dev/kiosk/scanner", description="serial device path")
    baudrate: Baud = Field(9600, description="line speed set on the scanner")


class EvdevScanner(Strict):
    """A keyboard-wedge QR scanner, read and grabbed from its evdev node."""

    type: Literal["evdev"]
    port: PathStr = Field("/dev/kiosk/scanner", description="evdev node path")


class CameraScanner(Strict):
    """QR codes read from the camera's frames."""

    type: Literal["camera"]


class V4l2Camera(Strict):
    """A UVC camera through OpenCV (V4L2)."""

    type: Literal["v4l2"]
    port: PathStr = Field("/dev/video0", description="video device path")
    width: int = Field(1280, ge=320, le=4096, description="preview width in pixels")
    height: int = Field(720, ge=240, le=3072, description="preview height in pixels")
    still_width: int = Field(1920, ge=320, le=8192, description="still photo width")
    still_height: int = Field(1080, ge=240, le=6144, description="still photo height")


class Emulated(Strict):
    """The device emulated (over a pty for serial devices): demos and tests."""

    type: Literal["emulated"]


IdCardDevice = Annotated[Union[SerialIdCard, Emulated], Field(discriminator="type")]
PrinterDevice = Annotated[Union[SerialPrinter, UsbPrinter, Emulated], Field(discriminator="type")]
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

    url: HttpUrl = Field(description="base URL, e.g. https://zwfw.example.gov.cn/kiosk; "
                                     "plain http only to a loopback host (127.0.0.0/8, ::1, localhost)")
    connect_timeout_s: float = Field(5.0, gt=0, le=60, description="TCP/TLS connect timeout")
    read_timeout_s: float = Field(20.0, gt=0, le=300, description="time to wait for an answer")
    verify_tls: bool = Field(True, description="check the server certificate; false only for a loopback host")
    ca_file: PathStr | None = Field(None, description="extra CA bundle for a county PKI")

    @field_validator("url")
    @classmethod
    def _https_unless_loopback(cls, url: HttpUrl) -> HttpUrl:
        if url.scheme != "https" and not is_loopback_host(url.host):
            raise ValueError("must be https:// (plain http only to a loopback host: 127.0.0.0/8, ::1, localhost)")
        return url

    @field_validator("verify_tls")
    @classmethod
    def _verify_unless_loopback(cls, verify: bool, info: ValidationInfo) -> bool:
        url = info.data.get("url")
        if not verify and url is not None and not is_loopback_host(url.host):
            raise ValueError("may be false only for a loopback backend (127.0.0.0/8, ::1, localhost); "
                             "for a county PKI set ca_file instead")
        return verify


class Paths(Strict):
    """Where the kiosk keeps things. Relative paths are taken from the config's folder."""

    data_dir: PathStr = Field("/var/lib/kiosk", description="database, blobs, catalog cache")
    device_key: PathStr = Field("device.key", description="Ed25519 private key (mode 0600)")
    data_key: PathStr = Field("data.key", description="AES-256-GCM key for personal data (mode 0600)")
    runtime_dir: PathStr = Field("/run/kiosk", description="heartbeat and device health for the agent")
    catalog_dir: PathStr | None = Field(None, description="shipped catalog; default: the package's assets/catalog")


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


def _clock_time(value: str) -> str:
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        raise ValueError("a time of day as HH:MM (24-hour), e.g. 22:00")
    return value


#: A time of day, ``HH:MM`` on the 24-hour clock.
ClockTime = Annotated[str, Field(min_length=5, max_length=5), AfterValidator(_clock_time)]
#: An espeak-ng voice name (``cmn``, ``en``, ``en-us`` …): letters, digits, ``-``, ``+``, ``_``, ``/``.
VoiceName = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_+/\-]*$")]


class Voice(Strict):
    """语音播报: each screen's instruction spoken (espeak-ng, cached as WAV files).

    Spoken on every screen while ``enabled`` (in 长辈模式 always, even when ``elder_only``);
    the environment variable ``KIOSK_VOICE=off`` mutes it (the tests set it)."""

    enabled: bool = Field(True, description="speak each screen's prompt")
    elder_only: bool = Field(False, description="speak only in 长辈模式")
    volume: int = Field(80, ge=0, le=100, description="playback volume, 0-100")
    quiet_start: ClockTime = Field("22:00", description="quiet hours begin (local time, HH:MM)")
    quiet_end: ClockTime = Field("07:00", description="quiet hours end (local time, HH:MM); "
                                 "equal to quiet_start: no quiet hours")
    quiet_volume: int = Field(30, ge=0, le=100, description="volume in quiet hours, 0-100 (0: silent)")
    voice_zh: VoiceName = Field("cmn", description="espeak-ng voice for Chinese (Mandarin)")
    voice_en: VoiceName = Field("en", description="espeak-ng voice for English")
    rate_wpm: int = Field(140, ge=80, le=300, description="speaking rate, words per minute")
    cache_dir: PathStr | None = Field(None, description="rendered prompts; default: <data_dir>/voice")


class Retention(Strict):
    """How long data stays on the kiosk."""

    delivered_grace_s: int = Field(0, ge=0, le=7 * 86400,
                                   description="keep personal data this long after delivery (default: none)")
    row_days: int = Field(90, ge=1, le=3650, description="keep delivered rows (no personal data) this long")


class Ime(Strict):
    """The pinyin keyboard."""

    extra_words: PathStr | None = Field(
        None, description="the county's own place words (streets, communities, villages): a UTF-8 "
                          "file, one word a line, # comments; read at start and offered first like "
                          "the shipped 二七区 words. Relative to the config's folder")


class Service(Strict):
    """The maintenance staff's hidden service menu (维护菜单, kiosk/service)."""

    staff_file: PathStr = Field("staff.json", description="staff names and scrypt PIN hashes, written by "
                                "`kiosk-diag service add-staff`; relative to the config's folder")
    hold_s: float = Field(5.0, ge=2, le=30, description="hold the top-left corner of the home screen "
                          "this long to open the PIN pad")
    idle_close_s: int = Field(120, ge=30, le=1800, description="the menu closes after this long untouched")
    max_tries: int = Field(5, ge=3, le=10, description="wrong PINs in a row that lock the menu")
    lock_s: int = Field(60, ge=10, le=3600, description="the first lock; each next one doubles")
    lock_cap_s: int = Field(3600, ge=60, le=86400, description="the longest lock")


class Config(Strict):
    timezone: TimeZoneName = Field("Asia/Shanghai", description="IANA time zone of the kiosk's local time: "
                                   "receipt times and the date in every txn_id")
    identity: Identity
    devices: Devices = Devices()
    backend: Backend
    paths: Paths = Paths()
    agent: Agent = Agent()
    session: Session = Session()
    retention: Retention = Retention()
    voice: Voice = Voice()
    service: Service = Service()
    ime: Ime = Ime()
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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        """The aware local time in the configured zone (txn_id dates, receipt times): not the
        system's zone, which a fresh image often leaves at UTC."""
        return datetime.now(self.zone)


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
    except (ValueError, RecursionError):  # an integer past Python's 4300 digits; arrays nested too deep
        raise ConfigError(f"{path}: not valid TOML: a number too long or values nested too deep") from None
    return parse_config(raw, str(path))


def parse_config(raw: dict, source: str = "<config>") -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(first_error(err, source, data=raw)) from None
    config._source = source
    return config
