"""The command spool: remote commands the agent hands to the UI process, and the UI's answers.

Commands that only the UI can carry out (``print_test_page``, ``restart_app``,
``enter_maintenance``, ``leave_maintenance``) are written by the agent as files under
``{runtime_dir}/spool/``; every step is one atomic rename, so a crash of either process at
any instant leaves each command in exactly one folder::

    new/{id}.json     queued by the agent   {"id", "type", "args", "queued_at"}
    taken/{id}.json   claimed by the UI     (renamed from new/, so it runs once)
    done/{id}.json    the UI's answer       {"id", "type", "ok", "message", "done_at"}
    dropped/{id}.json the agent gave up     (the UI never claimed it in time)

The UI calls :meth:`CommandSpool.unfinished` once at start (commands it had claimed before a
crash, ``resumed=True``: the UI decides whether a repeat is safe — for all four it is), then
:meth:`CommandSpool.take` say once a second, and :meth:`CommandSpool.finish` for each. ``restart_app`` is finished
*before* the UI restarts. The agent acknowledges a command to the backend only when the
UI's answer is in ``done/``; a command the UI has not claimed within ``UI_TIMEOUT_S`` is
moved to ``dropped/`` and acknowledged ``ok: false``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.agent.heartbeat import read_json, write_json_atomically

UI_COMMANDS = ("print_test_page", "restart_app", "enter_maintenance", "leave_maintenance")
#: How long a queued command waits for the UI before the agent acknowledges it ``ok: false``.
UI_TIMEOUT_S = 600
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


@dataclass(frozen=True)
class SpoolCommand:
    id: str
    type: str
    args: dict[str, Any] = field(default_factory=dict, repr=False)  # values stay out of logs
    resumed: bool = False  # the UI had claimed it before and crashed


@dataclass(frozen=True)
class SpoolResult:
    id: str
    type: str
    ok: bool
    message: str = field(repr=False)  # free text from the UI


class CommandSpool:
    def __init__(self, runtime_dir: str | Path) -> None:
        self.root = Path(runtime_dir) / "spool"
        self.new, self.taken, self.done, self.dropped = (self.root / n for n in ("new", "taken", "done", "dropped"))

    def _file(self, folder: Path, command_id: str) -> Path:
        if not _SAFE_ID.match(command_id) or command_id.startswith("."):
            raise ValueError("command id not usable as a file name")
        return folder / f"{command_id}.json"

    def _ensure(self) -> None:
        for folder in (self.new, self.taken, self.done, self.dropped):
            folder.mkdir(parents=True, exist_ok=True)

    # -- the agent's side -------------------------------------------------------------------------
    def enqueue(self, command_id: str, type_: str, args: dict[str, Any], now: datetime | None = None) -> bool:
        """Queue for the UI; False when this id is already somewhere in the spool (no repeat)."""
        self._ensure()
        if self.where(command_id) is not None:
            return False
        write_json_atomically(self._file(self.new, command_id), {
            "id": command_id, "type": type_, "args": args,
            "queued_at": (now or _now()).isoformat(timespec="seconds")})
        return True

    def where(self, command_id: str) -> str | None:
        """``new``, ``taken``, ``done``, ``dropped`` or None."""
        for name, folder in (("new", self.new), ("taken", self.taken), ("done", self.done), ("dropped", self.dropped)):
            if self._file(folder, command_id).exists():
                return name
        return None

    def result(self, command_id: str) -> SpoolResult | None:
        doc = read_json(self._file(self.done, command_id))
        if not isinstance(doc, dict):
            return None
        return SpoolResult(command_id, str(doc.get("type", "")), doc.get("ok") is True, str(doc.get("message", ""))[:500])

    def drop_if_unclaimed(self, command_id: str) -> bool:
        """Withdraw a command the UI has not claimed; True when it is withdrawn."""
        self._ensure()
        try:
            os.rename(self._file(self.new, command_id), self._file(self.dropped, command_id))
        except FileNotFoundError:
            return False
        return True

    def forget(self, command_id: str) -> None:
        """Remove every trace of an acknowledged command."""
        for folder in (self.new, self.taken, self.done, self.dropped):
            try:
                self._file(folder, command_id).unlink()
            except FileNotFoundError:
                pass

    # -- the UI's side --------------------------------------------------------------------------
    def unfinished(self) -> list[SpoolCommand]:
        """At the UI's start: commands it claimed before and never finished (a crash)."""
        self._ensure()
        paths = sorted(self.taken.glob("*.json"), key=lambda p: p.stat().st_mtime)
        found = [self._command(p, resumed=True) for p in paths if not self._file(self.done, p.stem).exists()]
        return [c for c in found if c.id]

    def take(self) -> list[SpoolCommand]:
        """Claim every newly queued command, oldest first; each is handed out once."""
        self._ensure()
        claimed: list[SpoolCommand] = []
        for path in sorted(self.new.glob("*.json"), key=lambda p: p.stat().st_mtime):
            target = self.taken / path.name
            try:
                os.rename(path, target)
            except FileNotFoundError:  # withdrawn by the agent meanwhile
                continue
            claimed.append(self._command(target, resumed=False))
        return [c for c in claimed if c.id]

    def finish(self, command_id: str, ok: bool, message: str = "", now: datetime | None = None) -> None:
        """The UI's answer; the agent acknowledges it in its next beacon."""
        self._ensure()
        doc = read_json(self._file(self.taken, command_id)) or {}
        write_json_atomically(self._file(self.done, command_id), {
            "id": command_id, "type": doc.get("type", ""), "ok": bool(ok), "message": message[:500],
            "done_at": (now or _now()).isoformat(timespec="seconds")})
        try:
            self._file(self.taken, command_id).unlink()
        except FileNotFoundError:
            pass

    def _command(self, path: Path, resumed: bool) -> SpoolCommand:
        doc = read_json(path)
        if not isinstance(doc, dict):
            return SpoolCommand(path.stem, "", {}, resumed)
        args = doc.get("args") if isinstance(doc.get("args"), dict) else {}
        return SpoolCommand(str(doc.get("id", path.stem)), str(doc.get("type", "")), args, resumed)
