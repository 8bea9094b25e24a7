"""`kiosk-provision install --root DIR`: the real useradd/groupadd (``--prefix``), systemctl
(``--root``) and systemd-tmpfiles (``--root``) work on a tree prepared with a minimal etc
copied from this machine; the files, modes, owners (numeric ids from the tree's passwd),
the enablement links and a second run that changes nothing are checked there. This
machine's own /etc is never touched (checked too)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from provisioning import units

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("useradd", path="/usr/sbin:/sbin") is None,
                                reason="install makes a user and hands files to it: root and useradd needed")

ETC_FILES = ("passwd", "group", "shadow", "gshadow", "login.defs")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "provisioning.cli", *args], capture_output=True, text=True, timeout=120)


def install(root: Path, *extra: str) -> dict:
    done = run("install", "--root", str(root), "--json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def root(tmp_path) -> Path:
    tree = tmp_path / "root"
    (tree / "etc").mkdir(parents=True)
    for name in ETC_FILES:
        shutil.copy2(Path("/etc") / name, tree / "etc" / name)
    return tree


def entry(root: Path, db: str, name: str) -> list[str] | None:
    for line in (root / "etc" / db).read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields
    return None


def owner(path: Path) -> tuple[int, int, int]:
    info = os.lstat(path)
    return stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid


def test_install_makes_the_user_folders_and_units_and_a_second_run_changes_nothing(root):
    host = {name: (Path("/etc") / name).read_bytes() for name in ("passwd", "group")}
    first = install(root)
    user = entry(root, "passwd", "kiosk")
    assert user is not None and user[5] == "/var/lib/kiosk" and user[6] == "/usr/sbin/nologin"
    uid, gid = int(user[2]), int(user[3])
    assert (first["uid"], first["gid"]) == (uid, gid) and int(entry(root, "group", "kiosk")[2]) == gid
    assert uid < 1000, "a system user"
    for group in ("dialout", "video", "input", "lp", "render", "audio"):
        assert "kiosk" in entry(root, "group", group)[3].split(","), group
    assert entry(root, "shadow", "kiosk")[1].startswith("!"), "no password"

    assert owner(root / "etc/kiosk") == (0o750, 0, gid)
    assert owner(root / "var/lib/kiosk") == (0o700, uid, gid)
    assert owner(root / "run/kiosk") == (0o750, uid, gid)
    source = units.source_dir()
    for shipped in units.FILES:
        dest = root / shipped.destination(units.DEFAULT_PREFIX).lstrip("/")
        if shipped.only_with:
            assert not dest.exists()
            continue
        assert dest.read_bytes() == (source / shipped.source).read_bytes(), shipped.source
        assert owner(dest) == (shipped.mode, 0, 0), shipped.source
    assert owner(root / "etc/systemd/system-generators/kiosk-schedule-generator")[0] == 0o755
    for unit in units.ENABLED:
        link = root / "etc/systemd/system/multi-user.target.wants" / unit
        assert link.is_symlink() and os.readlink(link) == f"/etc/systemd/system/{unit}"
    assert not list(root.glob("etc/systemd/system/*.wants/kiosk-nightly-off*")), "the power-off timer stays off"
    assert any(w.startswith("/opt/kiosk/venv/bin/kiosk is missing") for w in first["warnings"])

    second = install(root)
    assert second["changed"] == [] and second["unchanged"] is True
    text = run("install", "--root", str(root))
    assert text.returncode == 0 and text.stdout.startswith("nothing to change")
    assert {name: (Path("/etc") / name).read_bytes() for name in ("passwd", "group")} == host


def test_install_mends_what_was_changed_and_keeps_the_operators_schedule(root):
    install(root)
    unit = root / "etc/systemd/system/kiosk-agent.service"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    os.chmod(root / "var/lib/kiosk", 0o755)
    schedule = root / "etc/kiosk/schedule.env"
    schedule.write_text("KIOSK_OFF_AT=23:00\n")
    (root / "etc/systemd/system/multi-user.target.wants/kiosk-ui.service").unlink()
    again = install(root)
    assert sorted(again["changed"]) == sorted(["updated /etc/systemd/system/kiosk-agent.service",
                                               "set /var/lib/kiosk 0700 kiosk:kiosk", "enabled kiosk-ui.service"])
    assert unit.read_bytes() == (units.source_dir() / "kiosk-agent.service").read_bytes()
    assert schedule.read_text() == "KIOSK_OFF_AT=23:00\n"


def test_install_hands_inits_files_to_the_kiosk_user(root):
    config_dir, data = root / "etc/kiosk", root / "var/lib/kiosk"
    config_dir.mkdir(parents=True)
    data.mkdir(parents=True)
    from kiosk.crypto import DataKey
    from kiosk.signing import DeviceKey
    from kiosk.store import open_store

    DeviceKey.load_or_create(config_dir / "device.key")  # as init, run as root, leaves them
    open_store(data, config_dir / "data.key", create_key=True).close()
    (config_dir / "kiosk.toml").write_text("# config\n")
    os.chmod(config_dir / "kiosk.toml", 0o644)
    result = install(root)
    uid, gid = result["uid"], result["gid"]
    assert owner(config_dir / "device.key") == (0o600, uid, gid)
    assert owner(config_dir / "data.key") == (0o600, uid, gid)
    assert owner(config_dir / "kiosk.toml") == (0o640, 0, gid)
    assert all(os.lstat(p).st_uid == uid for p in data.rglob("*")) and any(data.rglob("outbox.db"))
    assert any(line.startswith("handed ") for line in result["changed"])
    DataKey.load(config_dir / "data.key")  # still a key file the kiosk accepts
    assert install(root)["changed"] == []


def test_prefix_user_and_kmsdrm_are_written_into_what_is_installed(root):
    result = install(root, "--prefix", "/srv/kiosk", "--user", "kiosk2", "--kmsdrm", "--no-enable")
    assert entry(root, "passwd", "kiosk2") is not None and result["user"] == "kiosk2"
    ui = (root / "etc/systemd/system/kiosk-ui.service").read_text()
    assert "/srv/kiosk/venv/bin/kiosk" in ui and "/opt/kiosk" not in ui and "\nUser=kiosk2\n" in ui
    assert (root / "srv/kiosk/libexec/kiosk-nightly-off").is_file()
    assert "/srv/kiosk/venv/bin/kiosk" in (root / "etc/systemd/system/kiosk-ui.service.d/kmsdrm.conf").read_text()
    uid = int(entry(root, "passwd", "kiosk2")[2])
    assert os.lstat(root / "var/lib/kiosk").st_uid == uid and os.lstat(root / "run/kiosk").st_uid == uid
    assert not (root / "etc/systemd/system/multi-user.target.wants").exists(), "--no-enable"
    back = install(root, "--prefix", "/srv/kiosk", "--user", "kiosk2", "--no-enable")  # back to cage
    assert back["changed"] == ["removed /etc/systemd/system/kiosk-ui.service.d/kmsdrm.conf"]


def test_refusals_are_one_line(tmp_path):
    done = run("install", "--root", str(tmp_path / "nowhere"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no such folder" in done.stderr
    (tmp_path / "bare").mkdir()  # no etc/passwd, group … : useradd cannot work there
    done = run("install", "--root", str(tmp_path / "bare"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "has no passwd, group" in done.stderr
