"""No model of the agent shows a value that may be personal in its repr (logs print reprs)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import kiosk.agent.availability
import kiosk.agent.beacon
import kiosk.agent.commands
import kiosk.agent.delivery
import kiosk.agent.heartbeat
import kiosk.agent.runner
import kiosk.agent.spool
import kiosk.client
from kiosk.agent.spool import SpoolCommand, SpoolResult
from kiosk.client import BeaconAnswer, CatalogFetch
from kiosk.store.records import DeadLetter, TxnRecord
from tests.support.kiosk_env import CITIZEN_ID, CITIZEN_NAME

SECRET = f"{CITIZEN_NAME} {CITIZEN_ID}"
NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)


def test_free_text_and_payloads_stay_out_of_reprs() -> None:
    models = [
        SpoolCommand("c1", "print_test_page", {"note": SECRET}),
        SpoolResult("c1", "print_test_page", False, SECRET),
        CatalogFetch({"version": "1", "items": [{"name": SECRET}]}, '"e"'),
        BeaconAnswer(NOW, [{"id": "c1", "args": {"phone": SECRET}}]),
        DeadLetter("txn", "K", "K", "zz", "高龄津贴", "invalid", f"id_number {SECRET} refused", NOW, 1),
        TxnRecord("K", "zz", "3", "高龄津贴", 7, "2026-11-22T10:00:00+08:00", NOW, "dead", 1, None,
                  f"已电话告知 {SECRET}", False),
    ]
    for model in models:
        assert CITIZEN_NAME not in repr(model) and CITIZEN_ID not in repr(model), type(model).__name__


def test_every_agent_dataclass_field_that_holds_text_from_outside_is_hidden() -> None:
    """A field typed ``str`` or ``dict``/``list``/``Any`` that is neither an id, a code nor a
    state is free text from someone else: it must be ``repr=False``."""
    safe = {"id", "type", "key", "txn_id", "kind", "code", "state", "etag", "command_id", "item_code",
            "item_name", "item_version", "created_at"}
    modules = [kiosk.agent.availability, kiosk.agent.beacon, kiosk.agent.commands, kiosk.agent.delivery,
               kiosk.agent.heartbeat, kiosk.agent.runner, kiosk.agent.spool, kiosk.client]
    for module in modules:
        for value in vars(module).values():
            if not (isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__):
                continue
            for f in dataclasses.fields(value):
                kind = str(f.type)
                if f.repr and f.name not in safe and any(t in kind for t in ("str", "dict", "list", "Any")):
                    raise AssertionError(f"{value.__name__}.{f.name} shows its value in repr")
