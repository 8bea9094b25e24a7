"""What staff can do in the service menu, each action written to the audit log.

:class:`ServiceActions` is made for one staff member when the menu opens (``who``) and
knows nothing of Kivy: the UI hands it the store, the printer driver and three callables
(``maintenance(on)``, ``restart()``, ``leave()``). Every action writes its audit line
*before* it reports success — and an action whose audit line cannot be written fails
(:class:`ActionFailed` ``audit_failed``): nothing is done unrecorded.

- :meth:`paper_replaced`: the printer's paper counter (``paper_mm``, paper used since the
  roll went in) starts again from zero; the audit line keeps what it read before.
- :meth:`retry_dead` / :meth:`discard_dead`: a dead letter goes back to the queue, or is
  given up with the reason staff typed (required; kept on the row and in the audit).
- :meth:`edit_identity`: the identity card's fields, validated as the ``set_identity``
  command does (:mod:`kiosk.agent.identity_override`); the device id cannot change.
- :meth:`set_maintenance`: 暂停服务 on the citizen screen, ``maintenance`` in the beacon.
- :meth:`restart`: the app stops with ``RESTART_EXIT`` and systemd starts it again.
- :meth:`leave`: "leave to the desktop". The UI writes :data:`LEAVE_FLAG` in the runtime
  folder (:func:`write_leave_flag`) and stops with :data:`LEAVE_EXIT`. Under systemd
  (``Restart=always``) systemd/kiosk-ui.service carries these two lines for it::

      SuccessExitStatus=79
      ExecCondition=/usr/bin/sh -c 'test ! -e /run/kiosk/left-to-desktop || { rm -f /run/kiosk/left-to-desktop; exit 1; }'

  The exit is then no failure (no ``OnFailure=`` retry), and the automatic restart finds the
  flag, consumes it and is skipped (an ``ExecCondition=`` that fails never restarts): the unit
  stays stopped, tty1 free for a console login, until ``systemctl start kiosk-ui`` (which
  now passes) or the next boot (``/run`` is emptied). The flag, not the exit code alone,
  because cage before 0.2 exits 0 whatever its client returned.
- :meth:`record`: an action done by the UI itself (a test page printed, a device tested).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.agent.identity_override import IdentityRejected, set_identity
from kiosk.fileio import atomic_write
from kiosk.identity import Identity
from kiosk.service.audit import AuditLog
from kiosk.store.records import DeadLetter, StoreError

#: The exit code of "leave to the desktop": outside the sysexits range (64–78) and apart
#: from a crash (1), a bad config (2) and a restart (75).
LEAVE_EXIT = 79
#: Written in the runtime folder when staff leave to the desktop (see :meth:`ServiceActions.leave`).
LEAVE_FLAG = "left-to-desktop"
#: Identity fields staff may edit (the device id is the key the county knows: never).
EDITABLE_FIELDS = ("name", "category", "maintainer", "phone", "location")
PAPER_COUNTER = "paper_mm"


def write_leave_flag(runtime_dir: str | os.PathLike[str], who: str, now: datetime | None = None) -> Path:
    """The flag that keeps systemd from starting the UI again at once."""
    path = Path(runtime_dir) / LEAVE_FLAG
    path.parent.mkdir(parents=True, exist_ok=True)
    when = (now or datetime.now(timezone.utc)).astimezone().isoformat(timespec="seconds")
    atomic_write(path, json.dumps({"who": who, "at": when}, ensure_ascii=False).encode("utf-8"))
    return path


class ActionFailed(Exception):
    """An action that could not be done; ``code`` names why (the UI shows its text)."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


class ServiceActions:
    def __init__(self, who: str, audit: AuditLog, *, configured_identity: Identity, store: Any = None,
                 printer: Callable[[], Any] = lambda: None,
                 maintenance: Callable[[bool], None] = lambda on: None,
                 restart: Callable[[], None] = lambda: None, leave: Callable[[], None] = lambda: None) -> None:
        self.who, self.audit = who, audit
        self.configured_identity, self.store = configured_identity, store
        self._printer, self._maintenance = printer, maintenance
        self._restart, self._leave = restart, leave

    # -- the log -------------------------------------------------------------------------
    def record(self, action: str, ok: bool = True, **details: Any) -> None:
        try:
            self.audit.write(self.who, action, ok, **details)
        except OSError as err:
            raise ActionFailed("audit_failed", type(err).__name__) from None

    # -- the printer ---------------------------------------------------------------------
    def paper_replaced(self) -> dict[str, int]:
        """Zero the paper counter; returns the counters as they were before."""
        printer = self._printer()
        if printer is None or not hasattr(printer, "reset_paper_counter"):
            raise ActionFailed("no_printer")
        before = {k: int(v) for k, v in printer.health.snapshot().counters.items()}
        self.record("paper_replaced", paper_mm_before=before.get(PAPER_COUNTER, 0),
                    receipts_printed=before.get("receipts_printed", 0))
        printer.reset_paper_counter()
        return before

    # -- dead letters --------------------------------------------------------------------
    def _outbox(self) -> Any:
        if self.store is None:
            raise ActionFailed("no_store")
        return self.store.outbox

    def dead_letters(self) -> list[DeadLetter]:
        return self._outbox().dead_letters()

    def retry_dead(self, key: str) -> None:
        outbox = self._outbox()
        try:
            outbox.retry_dead(key)
        except StoreError as err:
            self.record("dead_letter_retry", False, key=key, error=type(err).__name__)
            raise ActionFailed("not_dead", type(err).__name__) from None
        self.record("dead_letter_retry", key=key)

    def discard_dead(self, key: str, reason: str) -> None:
        reason = " ".join((reason or "").split())
        if not reason:
            raise ActionFailed("reason_required")
        outbox = self._outbox()
        try:
            outbox.discard_dead(key, f"{reason} ({self.who})")
        except StoreError as err:
            self.record("dead_letter_discard", False, key=key, error=type(err).__name__)
            raise ActionFailed("not_dead", type(err).__name__) from None
        self.record("dead_letter_discard", key=key, reason=reason)

    # -- the identity card ---------------------------------------------------------------
    def identity(self) -> Identity:
        from kiosk.agent.identity_override import effective_identity

        return self.configured_identity if self.store is None else effective_identity(
            self.configured_identity, self.store.kv)

    def edit_identity(self, fields: dict[str, str]) -> Identity:
        """Change the card's fields (only :data:`EDITABLE_FIELDS`); IdentityRejected names the field."""
        if self.store is None:
            raise ActionFailed("no_store")
        stray = set(fields) - set(EDITABLE_FIELDS)
        if stray:
            raise IdentityRejected(f"{sorted(stray)[0]}: cannot be edited here")
        before = self.identity()
        changed = {k: v for k, v in fields.items() if getattr(before, k) != v}
        if not changed:
            return before
        new = set_identity(self.configured_identity, self.store.kv, changed)
        self.record("identity_edited", fields={k: getattr(new, k) for k in changed})
        return new

    # -- the app -------------------------------------------------------------------------
    def set_maintenance(self, on: bool) -> None:
        self.record("maintenance_on" if on else "maintenance_off")
        self._maintenance(on)

    def restart(self) -> None:
        self.record("app_restart")
        self._restart()

    def leave(self) -> None:
        self.record("leave_to_desktop")
        self._leave()

    def close(self, why: str = "closed") -> None:
        """The menu closed (``closed`` by staff, ``idle`` after the idle time)."""
        try:
            self.audit.write(self.who, "menu_closed", True, why=why)
        except OSError:
            pass  # closing must never fail
