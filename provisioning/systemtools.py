"""The systemd and udev tools ``install`` calls: ``systemctl``, ``systemd-tmpfiles``, ``udevadm``.

Under ``--root DIR`` (or on a machine where systemd is not running: an image being built, a
container) they work offline on the files: ``systemctl --root DIR enable`` makes the
``.wants/`` links, ``systemd-tmpfiles --root DIR`` makes the folders with the owners named
in ``DIR/etc/passwd``. Only on a running system are the daemons told (``daemon-reload``,
``udevadm control --reload`` and a ``change`` event for the kiosk's devices).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from provisioning.accounts import SBIN_PATH


class ToolError(Exception):
    """A tool failed; the message is one line."""


def which(name: str) -> str | None:
    return shutil.which(name, path=SBIN_PATH)


def systemd_running() -> bool:
    """systemd is PID 1 here (sd_booted(3): ``/run/systemd/system`` exists)."""
    return os.path.isdir("/run/systemd/system")


def live(root: Path) -> bool:
    """Act on the running system (not a tree under --root, not an offline one)."""
    return root == Path("/") and systemd_running()


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    tool = which(argv[0])
    if tool is None:
        raise ToolError(f"{argv[0]} not found")
    done = subprocess.run([tool, *argv[1:]], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": SBIN_PATH, "LC_ALL": "C", "SYSTEMD_PAGER": ""})
    if check and done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split()) or f"exit {done.returncode}"
        raise ToolError(f"{' '.join(argv)}: {said}")
    return done


def _systemctl(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    offline = [] if live(root) else [f"--root={root}"]
    return run("systemctl", *offline, *args, check=check)


def enable(root: Path, units: tuple[str, ...]) -> list[str]:
    """Enable the units not enabled yet; returns them."""
    todo = [u for u in units if _systemctl(root, "is-enabled", u, check=False).stdout.strip() != "enabled"]
    if todo:
        _systemctl(root, "enable", *todo)
    return todo


def daemon_reload(root: Path) -> bool:
    if not live(root):
        return False
    run("systemctl", "daemon-reload")
    return True


def tmpfiles_create(root: Path, config_name: str) -> bool:
    """Apply ``/etc/tmpfiles.d/<config_name>`` now; False when systemd-tmpfiles is missing."""
    if which("systemd-tmpfiles") is None:
        return False
    offline = [] if root == Path("/") else [f"--root={root}"]
    run("systemd-tmpfiles", "--create", *offline, config_name)
    return True


def udev_reload(root: Path) -> bool:
    """Reload the rules and replay the kiosk devices' events, so /dev/kiosk/* appear now."""
    if root != Path("/") or which("udevadm") is None or not os.path.exists("/run/udev/control"):
        return False
    run("udevadm", "control", "--reload")
    run("udevadm", "trigger", "--action=change", "--subsystem-match=tty", "--subsystem-match=usbmisc",
        "--subsystem-match=input")
    return True
