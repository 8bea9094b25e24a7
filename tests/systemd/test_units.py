"""The units pass `systemd-analyze verify` (in a throwaway root holding stubs at the program
paths), name only the paths the app, its config and provisioning really use, and carry their
hardening. No systemd runs here as PID 1, so nothing is booted: see test_notify and the
watchdog tests for the protocol, spoken to a real socket."""

from __future__ import annotations

import grp
import os
import re
import subprocess
import tomllib
from pathlib import Path

from kiosk.config import Paths
from provisioning.init import CONFIG_NAME, DEFAULT_CONFIG_DIR, DEFAULT_DATA_DIR, DEFAULT_RUNTIME_DIR
from tests.systemd.units import (CONFIG_FILE, KMSDRM_DROPIN, PREFIX, SERVICES, SYSTEMD_DIR, UNITS, exec_programs,
                                 make_root, one, read_unit, values, verify, words)

REPO = SYSTEMD_DIR.parent
VERIFIED = ("kiosk-ui.service", "kiosk-agent.service", "kiosk-nightly-off.timer", "kiosk-nightly-off.service",
            "kiosk-retry@kiosk-ui.timer", "kiosk-retry@kiosk-agent.timer")
#: Groups Debian's `udev` package creates (not present on a machine without udev, like this one).
UDEV_GROUPS = {"input", "render", "kvm", "sgx"}

def unit(name: str):
    return read_unit(SYSTEMD_DIR / name)


def all_programs(*extra: Path) -> list[str]:
    return sorted({p for name in UNITS for p in exec_programs(unit(name))}
                  | {p for path in extra for p in exec_programs(read_unit(path))})


def schedule_dropin(tmp_path: Path) -> Path:
    out = tmp_path / "generator"
    subprocess.run(["sh", str(SYSTEMD_DIR / "kiosk-schedule-generator"), str(out), str(out), str(out)],
                   env={**os.environ, "KIOSK_SCHEDULE_ENV": str(SYSTEMD_DIR / "schedule.env")},
                   check=True, timeout=30)
    return out / "kiosk-nightly-off.timer.d/schedule.conf"


def shipped(tmp_path: Path, *extra: tuple[Path, str]) -> list[tuple[Path, str]]:
    return [(SYSTEMD_DIR / name, name) for name in UNITS] + [
        (schedule_dropin(tmp_path), "kiosk-nightly-off.timer.d/schedule.conf"), *extra]


def test_every_unit_passes_systemd_analyze_verify(tmp_path) -> None:
    root = make_root(tmp_path / "root", shipped(tmp_path), all_programs())
    done = verify(root, *VERIFIED)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stdout + done.stderr


def test_verify_here_does_catch_a_mistake(tmp_path) -> None:
    broken = tmp_path / "kiosk-agent.service"
    broken.write_text((SYSTEMD_DIR / "kiosk-agent.service").read_text().replace("WatchdogSec=", "WatchdogSecs="))
    root = make_root(tmp_path / "root", [(broken, "kiosk-agent.service")], all_programs())
    done = verify(root, "kiosk-agent.service")
    assert "Unknown key 'WatchdogSecs'" in done.stderr


def test_the_kmsdrm_variant_runs_the_kiosk_alone_and_passes_verify(tmp_path) -> None:
    dropin = SYSTEMD_DIR / KMSDRM_DROPIN
    conf = read_unit(dropin)
    assert values(conf, "Service", "ExecStart") == ["", f"{PREFIX}/venv/bin/kiosk --config {CONFIG_FILE}"]
    assert "SDL_VIDEODRIVER=kmsdrm" in values(conf, "Service", "Environment")
    assert one(conf, "Service", "NotifyAccess") == "main"  # the kiosk is the main process now
    root = make_root(tmp_path / "root", shipped(tmp_path, (dropin, KMSDRM_DROPIN)), all_programs(dropin))
    done = verify(root, "kiosk-ui.service")
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr
    # the drop-in is read: one without the ExecStart= reset is refused
    (root / "etc/systemd/system" / KMSDRM_DROPIN).write_text(
        "[Service]\nExecStart=/opt/kiosk/venv/bin/kiosk --config /etc/kiosk/kiosk.toml\n")
    assert "more than one ExecStart=" in verify(root, "kiosk-ui.service").stderr


def test_the_programs_are_the_installed_ones() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    readme = (SYSTEMD_DIR / "README.md").read_text()
    for program in all_programs(SYSTEMD_DIR / KMSDRM_DROPIN):
        if program.startswith(f"{PREFIX}/venv/bin/"):
            assert program.rsplit("/", 1)[1] in scripts, program  # a console script of the package
        elif program.startswith(f"{PREFIX}/libexec/"):
            name = program.rsplit("/", 1)[1]
            assert os.access(SYSTEMD_DIR / name, os.X_OK), program  # shipped here, executable
            assert f"`{program}`" in readme
        else:
            assert program.startswith("/usr/") and os.access(program, os.X_OK), program  # the system's own
    ui = words(unit("kiosk-ui.service"), "Service", "ExecStart")
    assert ui == ["/usr/bin/env", "XDG_RUNTIME_DIR=/run/kiosk-ui", "/usr/bin/cage", "-d", "--",
                  f"{PREFIX}/venv/bin/kiosk", "--config", CONFIG_FILE]
    agent = words(unit("kiosk-agent.service"), "Service", "ExecStart")
    assert agent == [f"{PREFIX}/venv/bin/kiosk-agent", "--config", CONFIG_FILE]
    assert CONFIG_FILE == str(DEFAULT_CONFIG_DIR / CONFIG_NAME)  # where kiosk-provision init writes it
    for name in SERVICES:
        assert f"ConditionPathExists={CONFIG_FILE}" in (SYSTEMD_DIR / name).read_text()


def test_the_folders_are_the_config_and_provisioning_defaults() -> None:
    paths = Paths()
    assert paths.data_dir == str(DEFAULT_DATA_DIR) and paths.runtime_dir == str(DEFAULT_RUNTIME_DIR)
    tmpfiles = {line.split()[1]: line.split() for line in (SYSTEMD_DIR / "kiosk.tmpfiles").read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    for name in SERVICES:
        u = unit(name)
        state, runtime = words(u, "Service", "StateDirectory"), words(u, "Service", "RuntimeDirectory")
        assert f"/var/lib/{state[0]}" == paths.data_dir and f"/run/{runtime[0]}" == paths.runtime_dir
        assert set(words(u, "Service", "ReadWritePaths")) == {paths.data_dir, paths.runtime_dir}
        assert one(u, "Service", "RuntimeDirectoryPreserve") == "yes"  # shared by the two units
        for kind, base in (("State", "/var/lib/"), ("Runtime", "/run/"), ("Cache", "/var/cache/")):
            for folder in words(u, "Service", f"{kind}Directory"):
                mode = one(u, "Service", f"{kind}DirectoryMode")
                assert tmpfiles[base + folder][2:5] == [mode, "kiosk", "kiosk"], base + folder
    assert tmpfiles[str(DEFAULT_CONFIG_DIR)][2:5] == ["0750", "root", "kiosk"]


def test_the_ui_caches_go_where_the_unit_lets_it_write(monkeypatch) -> None:
    from kiosk.ui.theme import font_cache_dir

    ui = unit("kiosk-ui.service")
    env = dict(v.split("=", 1) for v in values(ui, "Service", "Environment"))
    cache = f"/var/cache/{one(ui, 'Service', 'CacheDirectory')}"
    for key in ("KIOSK_FONT_CACHE", "KIVY_HOME", "XDG_CACHE_HOME"):
        assert env[key] == cache or env[key].startswith(cache + "/"), key
    monkeypatch.setenv("KIOSK_FONT_CACHE", env["KIOSK_FONT_CACHE"])
    assert str(font_cache_dir()) == env["KIOSK_FONT_CACHE"]
    assert env["SDL_VIDEODRIVER"] == "x11"  # the wheel's SDL2 has no wayland driver: Xwayland
    assert "XDG_RUNTIME_DIR=/run/kiosk-ui" in words(ui, "Service", "ExecStart")
    assert "kiosk-ui" in words(ui, "Service", "RuntimeDirectory")


def test_both_services_are_watched_restarted_and_hardened() -> None:
    required = {"Type": "notify", "Restart": "always", "User": "kiosk", "NoNewPrivileges": "yes",
                "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "",
                "ProtectKernelModules": "yes", "ProtectKernelTunables": "yes", "ProtectControlGroups": "yes",
                "RestrictSUIDSGID": "yes", "LockPersonality": "yes", "UMask": "0077"}
    for name in SERVICES:
        u = unit(name)
        for key, want in required.items():
            assert one(u, "Service", key) == want, f"{name}: {key}"
        assert re.fullmatch(r"\d+(s|min)", one(u, "Service", "WatchdogSec")), name
        assert one(u, "Unit", "OnFailure") == "kiosk-retry@%N.timer"
        assert int(one(u, "Unit", "StartLimitBurst")) >= 5
    ui, agent = unit("kiosk-ui.service"), unit("kiosk-agent.service")
    assert one(ui, "Service", "NotifyAccess") == "all"  # the kiosk is cage's child
    assert one(agent, "Service", "NotifyAccess") == "main"
    assert one(agent, "Service", "PrivateDevices") == "yes" and one(agent, "Service", "ProtectClock") == "yes"
    for key in ("PrivateDevices", "DeviceAllow", "ProtectClock"):  # systemd/README.md says why
        assert values(ui, "Service", key) == [], key
    for key, want in {"PAMName": "login", "TTYPath": "/dev/tty1", "StandardInput": "tty-fail"}.items():
        assert one(ui, "Service", key) == want
    assert "getty@tty1.service" in words(ui, "Unit", "Conflicts")


def test_the_exposure_systemd_analyze_security_measures(tmp_path) -> None:
    root = make_root(tmp_path / "root", shipped(tmp_path), all_programs())
    limits = {"kiosk-ui.service": 3.0, "kiosk-agent.service": 2.0}
    for name, limit in limits.items():
        done = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--root={root}", name],
                              capture_output=True, text=True, timeout=120)
        level = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout).group(1))
        assert level <= limit, f"{name}: {level}"


def test_the_device_groups_exist_on_a_debian_machine() -> None:
    here = {g.gr_name for g in grp.getgrall()}
    groups = words(unit("kiosk-ui.service"), "Service", "SupplementaryGroups")
    assert {"dialout", "lp", "input", "video"} <= set(groups)
    assert set(groups) <= here | UDEV_GROUPS, set(groups) - here - UDEV_GROUPS


def test_the_readme_lists_every_file_here() -> None:
    readme = (SYSTEMD_DIR / "README.md").read_text()
    for path in sorted(SYSTEMD_DIR.rglob("*")):
        if path.is_file():
            assert f"| `{path.relative_to(SYSTEMD_DIR)}` |" in readme, path.name


def test_leaving_to_the_desktop_stops_the_restarts(tmp_path) -> None:
    """The service menu's "leave" exits with LEAVE_EXIT after writing LEAVE_FLAG in the runtime
    folder: the unit counts that exit as success and its ExecCondition skips (and removes) the
    one restart that follows; without the flag the condition lets the kiosk start."""
    from kiosk.service.actions import LEAVE_EXIT, LEAVE_FLAG

    ui = unit("kiosk-ui.service")
    assert one(ui, "Service", "SuccessExitStatus") == str(LEAVE_EXIT)
    condition = one(ui, "Service", "ExecCondition")
    flag = f"{Paths().runtime_dir}/{LEAVE_FLAG}"
    assert condition.count(flag) == 2
    # Run the condition's shell for real against a stand-in folder: skip once, then start.
    script = condition.split("-c ", 1)[1].strip("'").replace(flag, str(tmp_path / LEAVE_FLAG))
    (tmp_path / LEAVE_FLAG).write_text("")
    assert subprocess.run(["sh", "-c", script], timeout=10).returncode == 1
    assert not (tmp_path / LEAVE_FLAG).exists()
    assert subprocess.run(["sh", "-c", script], timeout=10).returncode == 0
