"""The shipped systemd files, read for the tests, and a throwaway root to verify them in."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SYSTEMD_DIR = Path(__file__).resolve().parents[2] / "systemd"
#: Where the programs the units start are installed (systemd/README.md, "The program path").
PREFIX = "/opt/kiosk"
CONFIG_FILE = "/etc/kiosk/kiosk.toml"
UNITS = ("kiosk-ui.service", "kiosk-agent.service", "kiosk-retry@.timer",
         "kiosk-nightly-off.timer", "kiosk-nightly-off.service")
SERVICES = ("kiosk-ui.service", "kiosk-agent.service")
KMSDRM_DROPIN = "kiosk-ui.service.d/kmsdrm.conf"
HOST_UNITS = Path("/usr/lib/systemd/system")


def read_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Section -> [(key, value)] in order, repeated keys kept (systemd.syntax(7))."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None and "=" in line, f"{path.name}: {raw!r}"
        key, value = line.split("=", 1)
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    found = values(unit, section, key)
    assert len(found) == 1, f"{section}.{key}: {found}"
    return found[0]


def words(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [w for v in values(unit, section, key) for w in v.split()]


def exec_programs(unit: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The program of every non-empty Exec*= line (its first word, prefixes like '-' dropped)."""
    programs = []
    for key, value in unit.get("Service", []):
        if key.startswith("Exec") and value:
            programs.append(value.split()[0].lstrip("-@:+!"))
    return programs


def make_root(root: Path, units: list[tuple[Path, str]], programs: list[str]) -> Path:
    """A root for ``systemd-analyze verify --root``: the host's own units (sysinit.target …),
    ours under /etc/systemd/system (``(source, relative destination)``), and an executable
    stub at each program path (verify refuses a unit whose ExecStart= binary is missing)."""
    shutil.copytree(HOST_UNITS, root / HOST_UNITS.relative_to("/"), symlinks=True)
    etc = root / "etc/systemd/system"
    for source, dest in units:
        (etc / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, etc / dest)
    for program in programs:
        stub = root / program.lstrip("/")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
    return root


def verify(root: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={root}", *names],
                          capture_output=True, text=True, timeout=120)
