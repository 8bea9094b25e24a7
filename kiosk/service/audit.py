"""The service menu's audit log: who did what, when — append-only JSON lines, fsynced.

One line per event, written with a single ``write`` to a file opened ``O_APPEND`` and
fsynced before the action is reported done::

    {"at": "2026-11-22T10:03:05+08:00", "who": "王建国", "action": "paper_replaced",
     "ok": true, "details": {"paper_mm": 8123}}

``details`` hold machine facts only (counters, transaction numbers, the identity card's
fields, a discard reason typed by staff) — never a citizen's data, never a PIN. The file
(``<data_dir>/service/audit.jsonl``) is moved to ``audit.jsonl.1`` when it passes
:data:`ROTATE_BYTES`, keeping one old file.

The agent's beacon counts it (:func:`summary`): entries in the last 24 hours and the last
one. A torn last line (power cut mid-write) is skipped by readers.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.fileio import fsync_dir

log = logging.getLogger(__name__)

FOLDER = "service"
FILE = "audit.jsonl"
ROTATE_BYTES = 1024 * 1024
WINDOW_S = 86400
MAX_DETAIL_CHARS = 500


def audit_path(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / FOLDER / FILE


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str
    action: str
    ok: bool
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditSummary:
    window_s: int
    entries: int
    last: AuditEntry | None


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


def _bounded(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_DETAIL_CHARS]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k)[:64]: _bounded(v) for k, v in list(value.items())[:20]}
    if isinstance(value, (list, tuple)):
        return [_bounded(v) for v in list(value)[:20]]
    return str(value)[:MAX_DETAIL_CHARS]


class AuditLog:
    def __init__(self, path: str | os.PathLike[str], clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self.clock = clock or _now

    def write(self, who: str, action: str, ok: bool = True, **details: Any) -> AuditEntry:
        """Append one event and fsync it; OSError if the disk refuses (the caller says so)."""
        entry = AuditEntry(self.clock(), who, action, ok, _bounded(details))
        line = json.dumps({"at": entry.at.isoformat(timespec="seconds"), "who": who, "action": action,
                           "ok": ok, "details": entry.details}, ensure_ascii=False, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._rotate()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            data = (line + "\n").encode("utf-8")
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # after a torn line (power cut): start a line of our own
            if os.write(fd, data) != len(data):
                raise OSError("audit line written short")
            os.fsync(fd)
        finally:
            os.close(fd)
        log.info("service menu: %s %s", action, "ok" if ok else "failed")  # no names, no details
        return entry

    def _rotate(self) -> None:
        try:
            if self.path.stat().st_size < ROTATE_BYTES:
                return
        except FileNotFoundError:
            return
        os.replace(self.path, self.path.with_name(FILE + ".1"))
        fsync_dir(self.path.parent)

    def entries(self) -> list[AuditEntry]:
        """Every readable entry, oldest first (the rotated file's, then the current one's)."""
        found: list[AuditEntry] = []
        for path in (self.path.with_name(self.path.name + ".1"), self.path):
            try:
                lines = path.read_bytes().splitlines()
            except FileNotFoundError:
                continue
            except OSError as err:
                log.warning("audit log unreadable: %s", type(err).__name__)
                continue
            found += [e for e in map(_parse, lines) if e is not None]
        return found

    def summary(self, now: datetime | None = None, window_s: int = WINDOW_S) -> AuditSummary:
        now = now or self.clock()
        entries = self.entries()
        recent = [e for e in entries if 0 <= (now - e.at).total_seconds() <= window_s]
        return AuditSummary(window_s, len(recent), entries[-1] if entries else None)


def _parse(line: bytes) -> AuditEntry | None:
    try:
        raw = json.loads(line)
        at = datetime.fromisoformat(raw["at"])
        if at.tzinfo is None:
            return None
        return AuditEntry(at, str(raw["who"]), str(raw["action"]), bool(raw["ok"]), dict(raw.get("details") or {}))
    except (ValueError, KeyError, TypeError):
        return None
