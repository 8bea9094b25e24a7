"""The readiness report's two types: one :class:`Check` per thing looked at, and the
:class:`Report` that holds them with the identity card and the time they were taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.identity import Identity


@dataclass(frozen=True)
class Check:
    """One finding. ``name`` is stable (``config``, ``keys``, ``device.printer``, ``ui``,
    ``backend``, ``enrollment``, ``clock``, ``disk``, ``fonts``, ``catalog``, ``outbox``,
    ``beacon``); ``detail`` is one line for an operator (English, no personal data);
    ``data`` holds the figures as JSON values, with ``code`` naming the finding."""

    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "data": dict(self.data)}


@dataclass(frozen=True)
class Report:
    identity: Identity
    taken_at: datetime
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        """Every check passed."""
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def get(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    def reason(self) -> str:
        """One line saying why it is not ready ("ready" when it is)."""
        if self.ready:
            return "ready"
        return "not ready: " + "; ".join(f"{c.name}: {c.detail}" for c in self.failed)

    def to_json(self) -> dict[str, Any]:
        return {"ready": self.ready, "taken_at": self.taken_at.isoformat(timespec="seconds"),
                "identity": self.identity.model_dump(), "checks": [c.to_json() for c in self.checks]}

    def to_text(self) -> str:
        """One line per check: ``ok  `` or ``FAIL``, the name, the detail."""
        width = max((len(c.name) for c in self.checks), default=0)
        return "\n".join(f"{'ok  ' if c.ok else 'FAIL'}  {c.name.ljust(width)}  {c.detail}" for c in self.checks)
