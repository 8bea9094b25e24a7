"""The service menu's actions on the real things: the printer driver on its emulator (paper
counter), the store (dead letters retried or discarded with a reason), the identity card
(validated as ``set_identity``), maintenance, restart and leave — each audited, and nothing
done when its audit line cannot be written."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from drivers.health import DeviceState
from drivers.printer.document import Document
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ReceiptPrinter
from kiosk.agent.identity_override import IdentityRejected
from kiosk.service.actions import ActionFailed, ServiceActions
from kiosk.service.audit import AuditLog, audit_path
from tests.support.kiosk_env import DEVICE_ID, make_draft
from tests.waiting import wait_for

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


def actions(config, store=None, **kw) -> ServiceActions:
    return ServiceActions("王建国", AuditLog(audit_path(config.data_dir)), configured_identity=config.identity,
                          store=store, **kw)


def audited(config) -> list[tuple[str, str, bool, dict]]:
    return [(e.who, e.action, e.ok, e.details) for e in AuditLog(audit_path(config.data_dir)).entries()]


@pytest.fixture
def printer():
    with PrinterEmulator() as emu:
        p = ReceiptPrinter.serial(emu.path, status_interval=0.2)
        p.start()
        assert wait_for(lambda: p.health.state is DeviceState.ONLINE)
        yield p
        p.stop()


def test_paper_replaced_zeroes_the_paper_counter_of_the_real_driver(config, printer):
    printer.print_document(Document().text("测试").cut())
    used = printer.health.snapshot().counters["paper_mm"]
    assert used > 0
    before = actions(config, printer=lambda: printer).paper_replaced()
    assert before["paper_mm"] == used
    counters = printer.health.snapshot().counters
    assert counters["paper_mm"] == 0 and counters["receipts_printed"] == 1
    assert audited(config) == [("王建国", "paper_replaced", True, {"paper_mm_before": used, "receipts_printed": 1})]


def test_no_printer_is_an_action_failed(config):
    with pytest.raises(ActionFailed) as failed:
        actions(config).paper_replaced()
    assert failed.value.code == "no_printer"


def dead_letter(store) -> str:
    txn_id = store.outbox.submit(make_draft(1), DEVICE_ID, NOW).txn_id
    store.outbox.mark_dead(txn_id, "unknown_item", "no such item", NOW)
    return txn_id


def test_retry_sends_a_dead_letter_again(config, store):
    key = dead_letter(store)
    menu = actions(config, store)
    assert [d.key for d in menu.dead_letters()] == [key]
    menu.retry_dead(key)
    assert store.outbox.state_of(key) == "pending" and menu.dead_letters() == []
    assert audited(config)[-1] == ("王建国", "dead_letter_retry", True, {"key": key})
    with pytest.raises(ActionFailed):
        menu.retry_dead(key)  # not dead any more
    assert audited(config)[-1][1:3] == ("dead_letter_retry", False)


def test_discarding_needs_a_reason_and_keeps_it(config, store):
    key = dead_letter(store)
    menu = actions(config, store)
    for blank in ("", "   "):
        with pytest.raises(ActionFailed) as failed:
            menu.discard_dead(key, blank)
        assert failed.value.code == "reason_required"
    assert [d.key for d in menu.dead_letters()] == [key] and audited(config) == []
    menu.discard_dead(key, "事项已下线，已电话告知申请人")
    assert menu.dead_letters() == [] and store.outbox.status(NOW).discarded == 1
    assert audited(config) == [("王建国", "dead_letter_discard", True,
                                {"key": key, "reason": "事项已下线，已电话告知申请人"})]


def test_identity_edits_are_validated_and_kept_in_the_store(config, store):
    menu = actions(config, store)
    new = menu.edit_identity({"phone": "0371-12345678", "maintainer": "二七区大数据中心"})
    assert new.phone == "0371-12345678" and new.device_id == config.identity.device_id
    assert menu.identity() == new  # read back through the override, as the UI and beacon do
    with pytest.raises(IdentityRejected) as bad:
        menu.edit_identity({"phone": "not a phone"})
    assert str(bad.value).startswith("phone")
    with pytest.raises(IdentityRejected):
        menu.edit_identity({"device_id": "ZZ-OTHER-1"})
    assert menu.identity().phone == "0371-12345678"
    assert audited(config) == [("王建国", "identity_edited", True,
                                {"fields": {"phone": "0371-12345678", "maintainer": "二七区大数据中心"}})]


def test_maintenance_restart_and_leave_call_the_app_after_auditing(config):
    calls = []
    menu = actions(config, maintenance=lambda on: calls.append(("maintenance", on)),
                   restart=lambda: calls.append("restart"), leave=lambda: calls.append("leave"))
    menu.set_maintenance(True)
    menu.set_maintenance(False)
    menu.restart()
    menu.leave()
    assert calls == [("maintenance", True), ("maintenance", False), "restart", "leave"]
    assert [a for _, a, _, _ in audited(config)] == ["maintenance_on", "maintenance_off", "app_restart",
                                                     "leave_to_desktop"]


def test_nothing_is_done_unrecorded(config, printer):
    folder = audit_path(config.data_dir).parent
    folder.mkdir(parents=True)
    audit_path(config.data_dir).mkdir()  # the log cannot be opened for writing
    calls = []
    menu = actions(config, printer=lambda: printer, maintenance=calls.append)
    printer.health.count("paper_mm", 100)
    with pytest.raises(ActionFailed) as failed:
        menu.paper_replaced()
    assert failed.value.code == "audit_failed"
    assert printer.health.snapshot().counters["paper_mm"] == 100
    with pytest.raises(ActionFailed):
        menu.set_maintenance(True)
    assert calls == []
