"""Remote commands from the beacon's answer: each executed once, acknowledged by id later.

The county queues commands and sends them in beacon answers until a beacon acknowledges
them. What the agent knows about each command lives in one ``kv`` value (:data:`KV_KEY`),
written in one step, so it survives restarts and crashes:

- ``done``: id → result, for every command finished (kept :data:`KEEP_DONE_S`); a command
  the backend sends again is never executed again, only acknowledged again;
- ``acks``: results not yet carried by a beacon that the backend answered;
- ``waiting``: commands handed to the UI through the spool (``kiosk.agent.spool``).

The agent itself does ``reload_catalog`` (fetch with the ETag, validate, keep the last good
one) and ``set_identity`` (``kiosk.agent.identity_override``). The UI's commands
(``print_test_page``, ``restart_app``, ``enter_maintenance``, ``leave_maintenance``) go to
the spool and are acknowledged with the UI's own answer once it is in; if the UI does not
claim one within ``spool.UI_TIMEOUT_S`` it is withdrawn and acknowledged ``ok: false``.
An unknown type is acknowledged ``ok: false`` at once.

Commands are validated one by one (:meth:`CommandRunner.handle_raw`): a malformed command
whose ``id`` is a usable string is acknowledged ``ok: false`` with the reason (one line
naming the key, never a value); one without an id cannot be acknowledged, and is logged and
skipped. Either way the other commands of the answer are carried out.

Each action is idempotent (a spool file is named by the command id; a catalog or identity
set twice is the same), so a crash between doing and recording cannot do harm twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from kiosk import wire
from kiosk.agent.identity_override import IdentityRejected, set_identity
from kiosk.agent.outbox_port import KeyValues
from kiosk.agent.spool import UI_COMMANDS, UI_TIMEOUT_S, CommandSpool
from kiosk.identity import Identity
from kiosk.validation import first_error

log = logging.getLogger(__name__)

KV_KEY = "commands"
KEEP_DONE_S = 30 * 86400
MAX_ACKS_PER_BEACON = 50

#: ``reload_catalog``'s action: () -> (ok, message).
CatalogReloader = Callable[[], tuple[bool, str]]


class CommandRunner:
    def __init__(self, kv: KeyValues, spool: CommandSpool, identity: Identity,
                 reload_catalog: CatalogReloader) -> None:
        self.kv = kv
        self.spool = spool
        self.identity = identity  # the configured card (the override is applied on top)
        self.reload_catalog = reload_catalog

    # -- the persisted state -------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        state = self.kv.get(KV_KEY)
        if not isinstance(state, dict):
            state = {}
        state.setdefault("done", {})
        state.setdefault("acks", [])
        state.setdefault("waiting", {})
        return state

    def _save(self, state: dict[str, Any]) -> None:
        self.kv.set(KV_KEY, state)

    def pending_acks(self) -> list[wire.CommandAck]:
        acks = []
        for ack in self._state()["acks"][:MAX_ACKS_PER_BEACON]:
            try:
                acks.append(wire.CommandAck(**ack))
            except (TypeError, ValidationError) as err:  # never let one spoil every beacon
                reason = first_error(err) if isinstance(err, ValidationError) else "not an ack"
                log.warning("stored ack not sendable, dropped: %s", reason)
        return acks

    def acks_delivered(self, command_ids: list[str]) -> None:
        """The backend answered a beacon carrying these acks."""
        if not command_ids:
            return
        state = self._state()
        sent = set(command_ids)
        state["acks"] = [ack for ack in state["acks"] if ack["command_id"] not in sent]
        self._save(state)

    def has_work(self) -> bool:
        """Acks to send or UI answers awaited: the next beacon should come soon."""
        state = self._state()
        return bool(state["acks"] or state["waiting"])

    def executed(self, command_id: str) -> dict[str, Any] | None:
        return self._state()["done"].get(command_id)

    # -- handling a beacon's answer ------------------------------------------------------------------
    def handle_raw(self, raw_commands: list[Any], now: float) -> None:
        """The answer's commands as sent: each validated on its own, then handled in order."""
        for raw in raw_commands:
            try:
                command = wire.Command.model_validate(raw)
            except ValidationError as err:
                self._reject(raw, first_error(err), now)
                continue
            self.handle([command], now)

    def _reject(self, raw: Any, reason: str, now: float) -> None:
        command_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(command_id, str) or not command_id.strip():
            log.warning("command without a usable id skipped: %s", reason)
            return
        state = self._state()
        if command_id in state["done"]:
            self._ack_again(state, command_id)
            return
        message = f"malformed command: {reason}"[:500]
        try:
            wire.CommandAck(command_id=command_id, ok=False, message=message)
        except ValidationError as err:  # an id the beacon cannot carry back
            log.warning("malformed command skipped, its id cannot be acknowledged: %s", first_error(err))
            return
        type_ = raw.get("type")
        log.warning("command %s refused: %s", command_id, reason)
        self._finish(command_id, type_[:40] if isinstance(type_, str) else "?", False, message, now)

    def handle(self, commands: list[wire.Command], now: float) -> None:
        for command in commands:
            state = self._state()
            if command.id in state["done"]:
                self._ack_again(state, command.id)
                continue
            if command.id in state["waiting"]:
                continue
            self._execute(command, now)

    def _ack_again(self, state: dict[str, Any], command_id: str) -> None:
        if any(ack["command_id"] == command_id for ack in state["acks"]):
            return
        done = state["done"][command_id]
        state["acks"].append({"command_id": command_id, "ok": done["ok"], "message": done["message"]})
        self._save(state)

    def _execute(self, command: wire.Command, now: float) -> None:
        log.info("command %s: %s", command.id, command.type)
        if command.type in UI_COMMANDS:
            try:
                self.spool.enqueue(command.id, command.type, command.args)
            except (ValueError, OSError) as err:
                self._finish(command.id, command.type, False, f"cannot queue for the UI: {err}", now)
                return
            state = self._state()
            state["waiting"][command.id] = {"type": command.type, "queued_ts": now}
            self._save(state)
            return
        if command.type == "reload_catalog":
            ok, message = self.reload_catalog()
        elif command.type == "set_identity":
            ok, message = self._set_identity(command.args)
        else:
            ok, message = False, f"unknown command type {command.type[:40]!r}"
        self._finish(command.id, command.type, ok, message, now)

    def _set_identity(self, args: dict[str, Any]) -> tuple[bool, str]:
        try:
            card = set_identity(self.identity, self.kv, args)
        except IdentityRejected as err:
            return False, f"identity refused: {err}"
        return True, f"identity set ({card.maintainer}, {card.phone})"

    def _finish(self, command_id: str, type_: str, ok: bool, message: str, now: float) -> None:
        state = self._state()
        message = message[:500]
        state["done"][command_id] = {"type": type_, "ok": ok, "message": message, "at": now}
        state["waiting"].pop(command_id, None)
        if not any(ack["command_id"] == command_id for ack in state["acks"]):
            state["acks"].append({"command_id": command_id, "ok": ok, "message": message})
        state["done"] = {k: v for k, v in state["done"].items() if now - float(v.get("at", now)) <= KEEP_DONE_S}
        self._save(state)
        log.info("command %s finished: ok=%s", command_id, ok)

    # -- the UI's answers ---------------------------------------------------------------------------
    def poll_spool(self, now: float) -> None:
        """Turn the UI's answers into acks; withdraw commands the UI never claimed."""
        for command_id, info in list(self._state()["waiting"].items()):
            result = self.spool.result(command_id)
            if result is not None:
                self._finish(command_id, info["type"], result.ok, result.message, now)
                self.spool.forget(command_id)
            elif now - float(info.get("queued_ts", now)) > UI_TIMEOUT_S and self.spool.drop_if_unclaimed(command_id):
                self._finish(command_id, info["type"], False, "the UI did not take the command in time", now)
                self.spool.forget(command_id)
