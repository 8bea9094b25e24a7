"""The files of the repository's ``systemd/`` folder and where ``install`` puts each one.

Where the folder is found (:func:`source_dir`):

- beside the package: ``<checkout>/systemd`` for a git checkout or an editable install;
- in a wheel: ``pyproject.toml`` ships the same files as data files under
  ``share/kiosk/systemd``, which pip puts in the environment's prefix (``/opt/kiosk/venv/
  share/kiosk/systemd``); looked up from the package's own place
  (``<prefix>/lib/pythonX.Y/site-packages/provisioning`` → ``<prefix>``), then ``sys.prefix``.

Every file of ``systemd/`` is either in :data:`FILES` or in :data:`NOT_INSTALLED` (a test
keeps it so, and checks each file's ``Installed as`` comment against its destination).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: The program prefix the shipped units name (``/opt/kiosk/venv/bin/kiosk``, …).
DEFAULT_PREFIX = "/opt/kiosk"
#: The user the shipped units and tmpfiles name.
DEFAULT_USER = "kiosk"
#: In ``pyproject.toml``'s data files and in an installed prefix.
DATA_SUBDIR = Path("share") / "kiosk" / "systemd"


class UnitsNotFound(Exception):
    """No systemd folder beside the package nor in the installed data files."""


@dataclass(frozen=True)
class ShippedFile:
    """``source`` (relative to ``systemd/``) → ``dest`` (absolute, ``{prefix}`` replaced)."""

    source: str
    dest: str
    mode: int = 0o644
    keep_existing: bool = False  # the operator's copy wins (settings)
    only_with: str = ""  # installed only with this install option ("kmsdrm")

    def destination(self, prefix: str) -> str:
        return self.dest.replace("{prefix}", prefix.rstrip("/") or "/")

    @property
    def is_unit(self) -> bool:
        return self.dest.startswith("/etc/systemd/system/")


SYSTEM = "/etc/systemd/system"
FILES: tuple[ShippedFile, ...] = (
    ShippedFile("kiosk-ui.service", f"{SYSTEM}/kiosk-ui.service"),
    ShippedFile("kiosk-agent.service", f"{SYSTEM}/kiosk-agent.service"),
    ShippedFile("kiosk-retry@.timer", f"{SYSTEM}/kiosk-retry@.timer"),
    ShippedFile("kiosk-nightly-off.service", f"{SYSTEM}/kiosk-nightly-off.service"),
    ShippedFile("kiosk-nightly-off.timer", f"{SYSTEM}/kiosk-nightly-off.timer"),
    ShippedFile("kiosk-ui.service.d/kmsdrm.conf", f"{SYSTEM}/kiosk-ui.service.d/kmsdrm.conf", only_with="kmsdrm"),
    ShippedFile("kiosk-schedule-generator", "/etc/systemd/system-generators/kiosk-schedule-generator", 0o755),
    ShippedFile("kiosk-nightly-off", "{prefix}/libexec/kiosk-nightly-off", 0o755),
    ShippedFile("99-kiosk.rules", "/etc/udev/rules.d/99-kiosk.rules"),
    ShippedFile("kiosk.tmpfiles", "/etc/tmpfiles.d/kiosk.conf"),
    ShippedFile("schedule.env", "/etc/kiosk/schedule.env", keep_existing=True),
)
#: Units enabled by ``install`` (the nightly power-off timer stays off until the operator
#: enables it; ``kiosk-retry@`` is started by ``OnFailure=``).
ENABLED = ("kiosk-ui.service", "kiosk-agent.service")
#: Files of ``systemd/`` that are not put on a machine.
NOT_INSTALLED = ("README.md", "kiosk-devices.csv")


def candidates() -> list[Path]:
    """Beside the package, then the package's own prefix, then the running environment's."""
    here = Path(__file__).resolve()
    found = [here.parents[1] / "systemd"]
    if len(here.parents) > 4:  # <prefix>/lib/pythonX.Y/site-packages/provisioning/units.py
        found.append(here.parents[4] / DATA_SUBDIR)
    return found + [Path(sys.prefix) / DATA_SUBDIR]


def source_dir() -> Path:
    """The folder holding the shipped files (see the module's text)."""
    for folder in candidates():
        if (folder / FILES[0].source).is_file():
            return folder
    raise UnitsNotFound("the systemd files are not beside the package nor in "
                        f"{Path(sys.prefix) / DATA_SUBDIR}: reinstall the kiosk package")


def text_for(shipped: ShippedFile, source: Path, prefix: str, user: str = DEFAULT_USER) -> bytes:
    """The bytes to install: the program under ``prefix`` instead of /opt/kiosk, and the
    units' ``User=`` and the tmpfiles owners ``user`` instead of kiosk."""
    data = (source / shipped.source).read_bytes()
    if prefix.rstrip("/") != DEFAULT_PREFIX:
        data = data.replace(f"{DEFAULT_PREFIX}/".encode(), f"{prefix.rstrip('/')}/".encode())
    if user == DEFAULT_USER:
        return data
    text = data.decode("utf-8")
    if shipped.is_unit:
        text = re.sub(rf"^User={DEFAULT_USER}$", f"User={user}", text, flags=re.M)
    elif shipped.source.endswith(".tmpfiles"):
        text = "\n".join(_owners(line, user) for line in text.split("\n"))
    return text.encode("utf-8")


def _owners(line: str, user: str) -> str:
    fields = line.split()
    if len(fields) < 5 or line.lstrip().startswith("#"):
        return line
    fields[3:5] = [user if f == DEFAULT_USER else f for f in fields[3:5]]
    return " ".join(fields)


def tmpfiles_folders(text: str) -> list[tuple[str, int, str, str]]:
    """(path, mode, user, group) of each ``d`` line of a tmpfiles.d file."""
    folders = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0] in ("d", "D") and fields[2] != "-":
            folders.append((fields[1], int(fields[2], 8), fields[3], fields[4]))
    return folders
