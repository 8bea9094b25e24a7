"""The fleet playbook (provisioning/ansible): the real ansible-playbook from ansible-core, the
CSV → inventory converter, and real runs against this machine (ansible_connection=local) with
the real county backend on loopback. Everything the role writes goes under a temp folder
(kiosk_dir for init, kiosk_root for install), so the test touches nothing of this machine."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from county import db as tables
from kiosk.readiness.clock import kernel_clock
from tests.county.support import Server

ANSIBLE_DIR = Path(__file__).resolve().parents[2] / "provisioning" / "ansible"
EXAMPLE_CSV = ANSIBLE_DIR / "machines.example.csv"
BIN = Path(sys.executable).parent
HEADER = "device_id,host,name,category,maintainer,phone,location,model,serial\n"
ROW = "{id},{host},政务服务自助一体机,24小时自助服务终端,二七区政务服务中心,0371-68665010,大学路街道便民服务中心大厅,ZW-K200,SN-{id}\n"


def convert(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ANSIBLE_DIR / "inventory_from_csv.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def ansible_env(tmp_path: Path) -> dict[str, str]:
    """Ansible's own state (tmp files, collections cache) under tmp_path, plain output."""
    home = tmp_path / "ansible-home"
    return {**os.environ, "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
            "ANSIBLE_REMOTE_TEMP": str(home / "remote-tmp"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg")}


def playbook(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ansible-playbook"), *args, str(ANSIBLE_DIR / "site.yml")], cwd=ANSIBLE_DIR,
                          env=ansible_env(tmp_path), capture_output=True, text=True, timeout=600)


def stats(done: subprocess.CompletedProcess, host: str) -> dict[str, int]:
    """The host's line of the PLAY RECAP: ``ZZ-EQ-0101 : ok=9 changed=0 unreachable=0 failed=0 …``."""
    recap = re.search(rf"^{re.escape(host)}\s+:\s+(.*)$", done.stdout.split("PLAY RECAP")[-1], re.MULTILINE)
    assert recap, done.stdout[-3000:] + done.stderr[-3000:]
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", recap.group(1))}


def tree_state(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under folder with its mode, owner and content hash (to see that nothing
    changed). Not the store's database: verify opens the store, and every open rewrites the
    time stamp of the data key's fingerprint row (kiosk/store/__init__.py), records unchanged."""
    return {str(p.relative_to(folder)): (p.stat().st_mode, p.stat().st_uid, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith("outbox.db")}


# -- the converter ------------------------------------------------------------------------------
def test_the_example_csv_becomes_an_inventory_ansible_reads(tmp_path):
    out = tmp_path / "inventory.yml"
    done = convert(EXAMPLE_CSV, "--backend", "https://zwfw.example.gov.cn/kiosk", "-o", out)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(out), "--list"], capture_output=True,
                            text=True, timeout=120, env=ansible_env(tmp_path))
    assert listed.returncode == 0, listed.stderr
    inventory = json.loads(listed.stdout)
    assert inventory["kiosks"]["hosts"] == ["ZZ-EQ-0001", "ZZ-EQ-0002"]
    first = inventory["_meta"]["hostvars"]["ZZ-EQ-0001"]
    assert first["ansible_host"] == "kiosk-0001.hall.example" and first["kiosk_device_id"] == "ZZ-EQ-0001"
    assert first["kiosk_identity"]["maintainer"] == "二七区政务服务中心"
    assert first["kiosk_identity"]["phone"] == "0371-68665010"  # a string, not a number
    assert first["kiosk_backend_url"] == "https://zwfw.example.gov.cn/kiosk"
    assert inventory["_meta"]["hostvars"]["ZZ-EQ-0002"]["kiosk_identity"]["location"] == "淮河路街道党群服务中心一楼"

    checked = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(out), "--syntax-check", "site.yml"],
                             cwd=ANSIBLE_DIR, capture_output=True, text=True, timeout=120, env=ansible_env(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_empty_cells_take_init_defaults_and_stdout_is_the_default_output(tmp_path):
    sheet = tmp_path / "m.csv"
    sheet.write_text("host,device_id,maintainer,phone,name\n10.0.0.7,ZZ-EQ-0100,某街道便民服务中心,12345,\n",
                     encoding="utf-8")
    done = convert(sheet)
    assert done.returncode == 0, done.stderr
    host = yaml.safe_load(done.stdout)["all"]["children"]["kiosks"]["hosts"]["ZZ-EQ-0100"]
    assert host["kiosk_identity"] == {"maintainer": "某街道便民服务中心", "phone": "12345"}
    assert "vars" not in yaml.safe_load(done.stdout)["all"]["children"]["kiosks"]


def test_every_bad_row_is_one_line_with_its_line_number_and_nothing_is_written(tmp_path):
    sheet = tmp_path / "machines.csv"
    sheet.write_text(
        HEADER
        + ROW.format(id="ZZ-EQ-0001", host="10.0.0.1")  # line 2: good
        + ROW.format(id="zz eq 2", host="10.0.0.2")  # line 3: bad device id
        + ROW.format(id="ZZ-EQ-0003", host="10.0.0.3").replace("0371-68665010", "call me")  # line 4
        + ROW.format(id="ZZ-EQ-0004", host="")  # line 5: no host
        + 'ZZ-EQ-0005,10.0.0.5,"政务服务\n自助一体机",类别,维护单位,0371-1,,,\n'  # lines 6-7: good, two lines
        + ROW.format(id="ZZ-EQ-0001", host="10.0.0.8")  # line 8: the id of line 2 again
        + ROW.format(id="ZZ-EQ-0009", host="10.0.0.9").rstrip("\n") + ",extra\n"  # line 9: a cell too many
        + "\n"
        + ROW.format(id="ZZ-EQ-0011", host="10.0.0.1"),  # line 11: the host of line 2 again
        encoding="utf-8")
    out = tmp_path / "inventory.yml"
    done = convert(sheet, "-o", out)
    assert done.returncode == 1 and not out.exists()
    lines = done.stderr.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{sheet}:{n}" for n in (3, 4, 5, 8, 9, 11)], lines
    assert lines[0].split(": ")[1] == "device_id" and lines[1].split(": ")[1] == "phone"
    assert lines[2].endswith("host: empty")
    assert lines[3].endswith("device_id: ZZ-EQ-0001 is already on line 2")
    assert lines[4].endswith("10 cells, the header has 9 columns")
    assert lines[5].endswith("host: 10.0.0.1 is already on line 2")
    assert "call me" not in done.stderr  # the value is not repeated (the rule is named)


@pytest.mark.parametrize(("content", "args", "expected"), [
    ("device_id,host,maintainer,phone,locaton\n", [], ":1: unknown column 'locaton'"),
    ("device_id,maintainer,phone\n", [], ":1: missing column 'host'"),
    ("device_id,host,maintainer,phone,phone\n", [], ":1: column 'phone' appears twice"),
    (HEADER, [], ": no machines"),
    (HEADER + ROW.format(id="ZZ-EQ-0001", host="h1"), ["--backend", "http://zwfw.example.gov.cn"],
     "--backend: must be https://"),
])
def test_header_and_backend_problems_are_one_line(tmp_path, content, args, expected):
    sheet = tmp_path / "m.csv"
    sheet.write_text(content, encoding="utf-8")
    done = convert(sheet, *args)
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and expected in done.stderr, done.stderr


def test_a_sheet_saved_in_gb18030_is_named_and_read_with_encoding(tmp_path):
    sheet = tmp_path / "m.csv"
    sheet.write_bytes((HEADER + ROW.format(id="ZZ-EQ-0001", host="h1")).encode("gb18030"))
    refused = convert(sheet)
    assert refused.returncode == 1 and "--encoding gb18030" in refused.stderr
    done = convert(sheet, "--encoding", "gb18030")
    assert done.returncode == 0, done.stderr
    assert "二七区政务服务中心" in done.stdout


# -- real runs of the role ----------------------------------------------------------------------
def clock_synced_here() -> bool:
    kernel = kernel_clock()
    return kernel is not None and kernel.synced


def vault_token(tmp_path: Path, host_vars: Path, token: str) -> Path:
    """host_vars/<host>.yml with the token encrypted by ansible-vault, as an operator keeps it."""
    password = tmp_path / "vault-password"
    password.write_text("correct horse battery staple\n")
    done = subprocess.run([str(BIN / "ansible-vault"), "encrypt_string", "--vault-password-file", str(password),
                           "--name", "kiosk_enrollment_token", token], capture_output=True, text=True, timeout=120,
                          env=ansible_env(tmp_path))
    assert done.returncode == 0, done.stderr
    host_vars.write_text(done.stdout)
    assert token not in done.stdout
    return password


def machine_root(folder: Path) -> Path:
    """A tree for install --root: a minimal etc copied from this machine (as F's tests do)."""
    (folder / "etc").mkdir(parents=True)
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        shutil.copy2(Path("/etc") / name, folder / "etc" / name)
    return folder


@pytest.mark.slow
@pytest.mark.timeout(600)  # six playbook runs of ~10 s each, more on a busy machine
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("useradd", path="/usr/sbin:/sbin") is None,
                    reason="install makes a user in the tree and hands files to it: root and useradd needed")
def test_the_role_provisions_this_machine_idempotently_and_check_changes_nothing(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'county.db'}"
    machine = tmp_path / "machine"
    root = machine_root(machine / "root")
    host_etc = {name: (Path("/etc") / name).read_bytes() for name in ("passwd", "group")}
    with Server(db_url) as county:
        sheet = tmp_path / "machines.csv"
        sheet.write_text(HEADER + ROW.format(id="ZZ-EQ-0101", host="127.0.0.1")
                         + ROW.format(id="ZZ-EQ-0102", host="127.0.0.2"), encoding="utf-8")
        inventory = tmp_path / "inventory.yml"
        assert convert(sheet, "--backend", county.url, "-o", inventory).returncode == 0
        made = subprocess.run([str(BIN / "county"), "token", "create", "--db", db_url, "--note", "ZZ-EQ-0101",
                               "--json"], capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        token = json.loads(made.stdout)["token"]
        (tmp_path / "host_vars").mkdir()
        password = vault_token(tmp_path, tmp_path / "host_vars" / "ZZ-EQ-0101.yml", token)

        settings = tmp_path / "vars.json"
        values = {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_become": False,
            "kiosk_venv": sys.prefix, "kiosk_package": "", "kiosk_system_packages": [],
            "kiosk_dir": str(machine / "kiosk"), "kiosk_root": str(root), "kiosk_devices": "emulated",
            "kiosk_nightly_off": {"off_at": "21:30", "wake_at": "06:45"},
            # this machine's kernel clock is not NTP-synchronised here (a container): say so
            "kiosk_verify_waive": [] if clock_synced_here() else ["clock"]}
        settings.write_text(json.dumps(values))
        base = ["-i", str(inventory), "-e", f"@{settings}", "--vault-password-file", str(password)]
        common = [*base, "--limit", "ZZ-EQ-0101"]

        first = playbook(tmp_path, *common)
        assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
        assert stats(first, "ZZ-EQ-0101")["changed"] >= 3  # init, install, the hours
        config = machine / "kiosk" / "kiosk.toml"
        assert config.exists()
        with county.db.connect() as conn:
            enrolled = conn.execute(select(tables.devices.c.device_id, tables.devices.c.identity)).all()
        assert [row.device_id for row in enrolled] == ["ZZ-EQ-0101"]
        assert json.loads(enrolled[0].identity)["serial"] == "SN-ZZ-EQ-0101"
        assert any(line.startswith("kiosk:") for line in (root / "etc/passwd").read_text().splitlines())
        assert (root / "etc/systemd/system/multi-user.target.wants/kiosk-agent.service").is_symlink()
        hours = (root / "etc/kiosk/schedule.env").read_text()
        assert "KIOSK_OFF_AT=21:30\n" in hours and "KIOSK_WAKE_AT=06:45\n" in hours
        assert "ZZ-EQ-0101 ready" in first.stdout
        before = tree_state(machine)

        second = playbook(tmp_path, *common)
        assert second.returncode == 0, second.stdout[-6000:] + second.stderr[-3000:]
        assert stats(second, "ZZ-EQ-0101")["changed"] == 0, second.stdout[-6000:]

        checked = playbook(tmp_path, *common, "--check")
        assert checked.returncode == 0, checked.stdout[-6000:] + checked.stderr[-3000:]
        assert stats(checked, "ZZ-EQ-0101")["changed"] == 0
        assert tree_state(machine) == before

        # a new machine under --check: init is reported as a change and nothing is made
        settings.write_text(json.dumps({**values, "kiosk_dir": str(tmp_path / "fresh" / "kiosk"),
                                        "kiosk_root": str(tmp_path / "fresh" / "root"),
                                        "kiosk_enrollment_token": "ct-not-used-under-check"}))
        would = playbook(tmp_path, *common, "--check")
        assert would.returncode == 0, would.stdout[-6000:] + would.stderr[-3000:]
        assert stats(would, "ZZ-EQ-0101")["changed"] >= 1
        assert not (tmp_path / "fresh").exists()

        # the other machine given the token already used: that host fails with init's one line
        vault_token(tmp_path, tmp_path / "host_vars" / "ZZ-EQ-0102.yml", token)
        settings.write_text(json.dumps({**values, "kiosk_dir": str(tmp_path / "other" / "kiosk")}))
        refused = playbook(tmp_path, *base, "--limit", "ZZ-EQ-0102")
        assert refused.returncode == 2 and stats(refused, "ZZ-EQ-0102")["failed"] == 1
        assert "enrollment refused: bad_token" in refused.stdout, refused.stdout[-6000:]

    # the county is gone: the machine is not ready, the host fails and its report is shown
    settings.write_text(json.dumps(values))
    gone = playbook(tmp_path, *common, "--tags", "verify")
    assert gone.returncode == 2 and stats(gone, "ZZ-EQ-0101")["failed"] == 1, gone.stdout[-6000:]
    shown = gone.stdout.split("TASK [kiosk : The report of a machine that is not ready]")[1]
    assert "backend" in shown and "not reachable" in shown and "二七区政务服务中心" in shown  # the report itself
    assert re.search(r"failed: ZZ-EQ-0101 not ready: backend: [^\n]*not reachable[^\n]*; enrollment: ", gone.stdout)

    for done in (first, second, checked, would, refused, gone):
        assert token not in done.stdout + done.stderr  # no_log kept it out of the output
    assert tree_state(machine) == before
    assert {name: (Path("/etc") / name).read_bytes() for name in ("passwd", "group")} == host_etc


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_software_is_built_from_the_checkout_and_installed_once(tmp_path):
    """The package tasks alone: the checkout's HEAD built into a wheel on the controller, a
    venv, the mirror's pip.conf, the wheel installed; a second run and --check change nothing.
    (``--no-deps`` here: on a machine the dependencies come from the registry or mirror.)"""
    repo = ANSIBLE_DIR.parents[1]
    prefix = tmp_path / "opt" / "kiosk"
    settings = tmp_path / "vars.json"
    settings.write_text(json.dumps({
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable, "ansible_become": False,
        "kiosk_device_id": "ZZ-EQ-0201", "kiosk_backend_url": "https://zwfw.example.gov.cn/kiosk",
        "kiosk_package": str(repo), "kiosk_prefix": str(prefix), "kiosk_python": sys.executable,
        "kiosk_build_dir": str(tmp_path / "build"), "kiosk_system_packages": [],
        "kiosk_pip_index_url": "https://mirrors.example.gov.cn/pypi/simple", "kiosk_pip_args": ["--no-deps"],
        "kiosk_enable": False}))
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("all:\n  children:\n    kiosks:\n      hosts:\n        ZZ-EQ-0201: {}\n")
    common = ["-i", str(inventory), "-e", f"@{settings}", "--tags", "package"]

    first = playbook(tmp_path, *common)
    assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
    assert stats(first, "ZZ-EQ-0201")["changed"] >= 4  # folder, venv, pip.conf, wheel, install
    venv = prefix / "venv"
    installed = subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import importlib.metadata as m; print(m.version('kiosk'))"],
                               capture_output=True, text=True, timeout=60)
    assert installed.returncode == 0 and installed.stdout.strip() == "0.1.0", installed.stderr
    assert (venv / "bin" / "kiosk-provision").exists() and (venv / "bin" / "kiosk-agent").exists()
    mirror = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "config", "get", "global.index-url"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PIP_CONFIG_FILE": ""})
    assert mirror.stdout.strip() == "https://mirrors.example.gov.cn/pypi/simple", mirror.stderr
    before = tree_state(prefix)

    second = playbook(tmp_path, *common)
    assert second.returncode == 0, second.stdout[-6000:] + second.stderr[-3000:]
    assert stats(second, "ZZ-EQ-0201")["changed"] == 0, second.stdout[-6000:]
    checked = playbook(tmp_path, *common, "--check")
    assert checked.returncode == 0, checked.stdout[-6000:] + checked.stderr[-3000:]
    assert stats(checked, "ZZ-EQ-0201")["changed"] == 0, checked.stdout[-6000:]
    assert tree_state(prefix) == before
