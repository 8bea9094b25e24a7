"""kiosk.tmpfiles, applied by the real systemd-tmpfiles into a throwaway root whose passwd
holds the kiosk user: the folders the config uses, with their owners and modes."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from kiosk.config import Paths
from provisioning.init import DEFAULT_CONFIG_DIR
from tests.systemd.units import SYSTEMD_DIR

KIOSK_UID, KIOSK_GID = 998, 997


def make_root(root: Path) -> Path:
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(f"root:x:0:0:root:/root:/bin/sh\n"
                                     f"kiosk:x:{KIOSK_UID}:{KIOSK_GID}::/var/lib/kiosk:/usr/sbin/nologin\n")
    (root / "etc/group").write_text(f"root:x:0:\nkiosk:x:{KIOSK_GID}:\n")
    return root


def create(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-tmpfiles", "--create", f"--root={root}", str(SYSTEMD_DIR / "kiosk.tmpfiles")],
                          capture_output=True, text=True, timeout=60)


def owner_mode(path: Path) -> tuple[int, int, str]:
    st = path.stat()
    return st.st_uid, st.st_gid, oct(stat.S_IMODE(st.st_mode))


def test_the_folders_are_made_with_their_owners_and_modes(tmp_path) -> None:
    root = make_root(tmp_path / "root")
    done = create(root)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    at = lambda p: root / str(p).lstrip("/")  # noqa: E731
    paths = Paths()
    assert owner_mode(at(paths.data_dir)) == (KIOSK_UID, KIOSK_GID, "0o700")  # personal data
    assert owner_mode(at(paths.runtime_dir)) == (KIOSK_UID, KIOSK_GID, "0o750")
    assert owner_mode(at(DEFAULT_CONFIG_DIR)) == (0, KIOSK_GID, "0o750")  # the kiosk reads, root writes
    assert owner_mode(at("/var/cache/kiosk")) == (KIOSK_UID, KIOSK_GID, "0o700")
    assert owner_mode(at("/run/kiosk-ui")) == (KIOSK_UID, KIOSK_GID, "0o750")


def test_wrong_modes_are_put_right_at_the_next_boot(tmp_path) -> None:
    root = make_root(tmp_path / "root")
    assert create(root).returncode == 0
    data = root / Paths().data_dir.lstrip("/")
    data.chmod(0o755)  # someone opened the data folder to everybody
    (data / "outbox.db").write_text("x")
    assert create(root).returncode == 0
    assert owner_mode(data) == (KIOSK_UID, KIOSK_GID, "0o700")
    assert (data / "outbox.db").read_text() == "x"  # what is inside stays
