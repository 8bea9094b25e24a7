"""``kiosk-provision init``: make the device key, write the config and data folder, enroll.

Run once per machine by the fleet operator. Safe to run again: an existing device key and
data key are kept (a new key would orphan the enrollment and every sealed record), the
config is rewritten atomically, and enrollment is repeated (the backend answers 409 only
when the device id is enrolled with another key).
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kiosk.config import ConfigError, parse_config
from kiosk.fileio import atomic_write_text
from kiosk.identity import Identity
from kiosk.validation import first_error

DEFAULT_CONFIG_DIR = Path("/etc/kiosk")
DEFAULT_DATA_DIR = Path("/var/lib/kiosk")
DEFAULT_RUNTIME_DIR = Path("/run/kiosk")
CONFIG_NAME = "kiosk.toml"


class ProvisionError(Exception):
    """Provisioning cannot go on; the message is one line for the operator."""


@dataclass(frozen=True)
class Layout:
    """Where ``init`` puts things: the system folders, or everything under ``--dir DIR``
    (``DIR/kiosk.toml``, ``DIR/device.key``, ``DIR/data.key``, ``DIR/data``, ``DIR/run``)."""

    config_dir: Path
    data_dir: Path
    runtime_dir: Path

    @classmethod
    def under(cls, folder: str | None) -> "Layout":
        if folder is None:
            return cls(DEFAULT_CONFIG_DIR, DEFAULT_DATA_DIR, DEFAULT_RUNTIME_DIR)
        root = Path(folder).absolute()
        return cls(root, root / "data", root / "run")

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_NAME


def toml_value(value: object) -> str:
    """A TOML value for the simple types a config holds (JSON strings are TOML strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def render_config(identity: Identity, backend: str, layout: Layout, devices: str) -> str:
    """The config file's text: identity, devices (real serial/V4L2 or all emulated), backend, paths."""
    lines = ["# Written by kiosk-provision init. Every key is documented in kiosk/config.py.", "", "[identity]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in identity.model_dump().items()]
    lines.append("")
    if devices == "emulated":
        for name in ("idcard", "printer", "scanner", "camera"):
            lines += [f"[devices.{name}]", 'type = "emulated"', ""]
    else:
        lines += ["[devices.idcard]", 'type = "serial"', 'port = "/dev/kiosk/idcard"', "",
                  "[devices.printer]", 'type = "serial"', 'port = "/dev/kiosk/printer"', "paper_width_mm = 80", "",
                  "[devices.scanner]", 'type = "serial"', 'port = "/dev/kiosk/scanner"', "",
                  "[devices.camera]", 'type = "v4l2"', 'port = "/dev/video0"', ""]
    lines += ["[backend]", f"url = {toml_value(backend)}", "",
              "[paths]", f"data_dir = {toml_value(layout.data_dir)}",
              f"device_key = {toml_value(layout.config_dir / 'device.key')}",
              f"data_key = {toml_value(layout.config_dir / 'data.key')}",
              f"runtime_dir = {toml_value(layout.runtime_dir)}", ""]
    return "\n".join(lines)


def _as_option(line: str) -> str:
    """``token: String should …`` → ``--token: String should …``: the operator typed an option."""
    key, sep, rest = line.partition(": ")
    return f"--{key.replace('_', '-')}{sep}{rest}" if key in ("token", "device_id") else line


def init(*, folder: str | None, device_id: str, backend: str, token: str, identity_fields: dict[str, str],
         devices: str = "serial") -> dict[str, object]:
    """Do the whole of ``init``; returns what the operator is told (no secrets)."""
    from kiosk import wire
    from kiosk.client import CountyClient, Final, Retryable
    from kiosk.crypto import CryptoError
    from kiosk.signing import DeviceKey, KeyFileError
    from kiosk.store import StoreError, open_store

    layout = Layout.under(folder)
    fields = {k: v for k, v in identity_fields.items() if v is not None}
    try:
        identity = Identity(device_id=device_id, **fields)
    except ValidationError as err:
        raise ProvisionError(f"identity.{first_error(err, data={'device_id': device_id, **fields})}") from None
    try:  # everything the enrollment will send, checked before a file is written
        wire.EnrollRequest(token=token, device_id=device_id, public_key="-", identity=identity)
    except ValidationError as err:
        raise ProvisionError(_as_option(first_error(err))) from None
    text = render_config(identity, backend, layout, devices)
    try:
        config = parse_config(tomllib.loads(text), str(layout.config_file))
    except ConfigError as err:
        raise ProvisionError(str(err)) from None

    for folder_path, mode in ((layout.config_dir, 0o750), (layout.data_dir, 0o700)):
        folder_path.mkdir(parents=True, exist_ok=True)
        os.chmod(folder_path, mode)
    try:
        key = DeviceKey.load_or_create(config.path(config.paths.device_key))
        # a new store gets a new data key and records its fingerprint; an existing store
        # keeps its key, and a missing or foreign key is refused (it would orphan every record)
        open_store(layout.data_dir, config.path(config.paths.data_key), create_key=True).close()
    except (KeyFileError, CryptoError, StoreError) as err:
        raise ProvisionError(str(err)) from None
    atomic_write_text(layout.config_file, text, 0o640)

    client = CountyClient.from_config(config, key)
    try:
        answer = client.enroll(token, key.public_key_b64(), identity)
    except Final as err:
        raise ProvisionError(f"enrollment refused: {err.code}: {err.message}") from None
    except Retryable as err:
        raise ProvisionError(f"backend not reachable: {err}") from None
    finally:
        client.close()
    return {
        "device_id": identity.device_id,
        "config": str(layout.config_file),
        "data_dir": str(layout.data_dir),
        "public_key": key.public_key_b64(),
        "enrolled_at": answer.enrolled_at.isoformat(),
    }
