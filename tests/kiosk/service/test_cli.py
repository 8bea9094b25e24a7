"""``kiosk-diag service``: add staff with the PIN on stdin (never an argument), list them
without hashes, refuse a bad PIN in one line, unlock, read the audit log."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from kiosk.service.gate import Gate
from kiosk.service.pins import StaffFile


def diag(config, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.diag.cli", "service", *args, "--config", config.source],
                          input=stdin, capture_output=True, text=True, timeout=60, env={**os.environ})


def test_add_list_remove_staff(config):
    added = diag(config, "add-staff", "--name", "王建国", "--json", stdin="246810\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["added"] == "王建国"
    assert StaffFile(config.path(config.service.staff_file)).who("246810").name == "王建国"
    listed = json.loads(diag(config, "list-staff", "--json").stdout)
    assert [m["name"] for m in listed["staff"]] == ["王建国"] and "scrypt" not in json.dumps(listed)
    assert diag(config, "remove-staff", "--name", "王建国").returncode == 0
    gone = diag(config, "remove-staff", "--name", "王建国")
    assert gone.returncode == 1 and gone.stderr.count("\n") == 1
    audit = json.loads(diag(config, "audit", "--json").stdout)["entries"]
    assert [(e["who"], e["action"]) for e in audit] == [("console", "staff_added"), ("console", "staff_removed")]
    assert "246810" not in json.dumps(audit)


def test_a_bad_pin_is_refused_in_one_line(config):
    for pin in ("12345", "abcdef", ""):
        refused = diag(config, "add-staff", "--name", "王建国", stdin=pin + "\n")
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1
        assert pin not in refused.stderr or not pin
    assert StaffFile(config.path(config.service.staff_file)).load() == []


def test_unlock_clears_a_lock(config):
    gate = Gate.from_config(config)
    for _ in range(5):
        gate.lockout.failed()
    assert gate.lockout.seconds_left() > 0
    done = diag(config, "unlock", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["was_locked_s"] > 0 and gate.lockout.seconds_left() == 0
    assert diag(config, "audit").stdout.split()[2] == "menu_unlocked"
