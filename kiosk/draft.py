"""What a finished citizen session hands to the outbox: one transaction, not yet numbered.

The session builds a :class:`TransactionDraft` on 确认提交; the outbox numbers it, seals it
(encrypted) to disk, commits, and only then may the receipt print. ``wipe()`` overwrites
the bytes it holds so nothing of the citizen outlives the session in memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from kiosk.wire import Applicant


@dataclass(repr=False)
class Blob:
    """An image the citizen handed in: a material page, the face photo, the signature."""

    content_type: Literal["image/jpeg", "image/png"]
    data: bytearray

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    def wipe(self) -> None:
        self.data[:] = b"\0" * len(self.data)
        del self.data[:]

    def __repr__(self) -> str:
        return f"Blob({self.content_type}, {len(self.data)} bytes)"


@dataclass(repr=False)
class MaterialBlob:
    code: str
    name: str
    blob: Blob


@dataclass(repr=False)
class TransactionDraft:
    item_code: str
    item_version: str
    item_name: str
    promised_days: int
    identity_method: Literal["id_card", "qr"]
    applicant: Applicant
    created_at: datetime
    form: dict[str, Any] = field(default_factory=dict)
    materials: list[MaterialBlob] = field(default_factory=list)
    face_photo: Blob | None = None
    signature: Blob | None = None

    def blobs(self) -> list[Blob]:
        found = [m.blob for m in self.materials]
        return found + [b for b in (self.face_photo, self.signature) if b is not None]

    def wipe(self) -> None:
        for blob in self.blobs():
            blob.wipe()
        self.materials.clear()
        self.face_photo = self.signature = None
        self.form.clear()

    def __repr__(self) -> str:
        return f"TransactionDraft(item_code={self.item_code!r}, <personal data masked>)"
