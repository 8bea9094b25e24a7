"""The audit log: one fsynced JSON line per event, read back in order; a torn line is
skipped; the summary counts the last 24 hours; the file rotates once it is large."""

from __future__ import annotations

import json
from datetime import timedelta

from kiosk.service import audit as audit_module
from kiosk.service.audit import AuditLog, audit_path


def test_lines_are_appended_as_json(tmp_path, clock):
    log = AuditLog(audit_path(tmp_path), clock.aware)
    log.write("王建国", "paper_replaced", paper_mm_before=8123)
    clock.advance(60)
    log.write("", "pin_wrong", ok=False, tries_left=4)
    lines = audit_path(tmp_path).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"at": "2026-11-22T10:00:00+08:00", "who": "王建国", "action": "paper_replaced", "ok": True,
         "details": {"paper_mm_before": 8123}},
        {"at": "2026-11-22T10:01:00+08:00", "who": "", "action": "pin_wrong", "ok": False,
         "details": {"tries_left": 4}}]
    assert [e.action for e in log.entries()] == ["paper_replaced", "pin_wrong"]
    assert oct(audit_path(tmp_path).stat().st_mode & 0o777) == "0o600"


def test_a_torn_last_line_is_skipped(tmp_path, clock):
    log = AuditLog(audit_path(tmp_path), clock.aware)
    log.write("王建国", "menu_opened")
    with open(log.path, "ab") as f:
        f.write(b'{"at": "2026-11-22T10:0')
    assert [e.action for e in log.entries()] == ["menu_opened"]
    log.write("王建国", "menu_closed")  # starts a line of its own after the torn bytes
    assert [e.action for e in log.entries()] == ["menu_opened", "menu_closed"]


def test_summary_counts_the_window_and_names_the_last(tmp_path, clock):
    log = AuditLog(audit_path(tmp_path), clock.aware)
    log.write("王建国", "menu_opened")
    clock.advance(2 * 86400)
    log.write("李娜", "menu_opened")
    log.write("李娜", "maintenance_on")
    summary = log.summary(clock.aware())
    assert summary.entries == 2 and summary.last.action == "maintenance_on" and summary.last.who == "李娜"
    assert log.summary(clock.aware() + timedelta(days=2)).entries == 0


def test_details_are_bounded(tmp_path, clock):
    log = AuditLog(audit_path(tmp_path), clock.aware)
    entry = log.write("王建国", "dead_letter_discard", reason="很" * 2000, items=list(range(50)))
    assert len(entry.details["reason"]) == 500 and len(entry.details["items"]) == 20


def test_the_log_rotates_keeping_one_old_file(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(audit_module, "ROTATE_BYTES", 300)
    log = AuditLog(audit_path(tmp_path), clock.aware)
    for n in range(10):
        log.write("王建国", "menu_opened", n=n)
    assert audit_path(tmp_path).with_name("audit.jsonl.1").exists()
    numbers = [e.details["n"] for e in log.entries()]
    assert numbers == sorted(numbers) and numbers[-1] == 9
