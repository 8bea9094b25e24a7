"""Everything one citizen hands in during a visit, in one object that one method destroys.

Keeping the personal data together (rather than spread over the state machine's
attributes) makes the privacy rule checkable: the session holds exactly one ``Visit``;
ending the visit calls :meth:`Visit.wipe` — blobs zeroed, dicts and lists cleared — and
replaces it with a fresh one, so even a view the UI kept (``form_view``) shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.catalog.model import Item, MaterialRequirement
from kiosk.draft import Blob, MaterialBlob, TransactionDraft
from kiosk.session.actions import Action
from kiosk.session.lookup import FoundCase
from kiosk.session.states import InputError
from kiosk.wire import BLOB_TYPES, MAX_BLOB_BYTES, Applicant


def check_blob(blob: Blob) -> None:
    """Refuse what cannot be sent (the contract's types and size); the caller keeps it."""
    if not isinstance(blob, Blob) or blob.content_type not in BLOB_TYPES:
        raise InputError("bad_image")
    if not 0 < blob.size <= MAX_BLOB_BYTES:
        raise InputError("bad_image", key="err.input.bad_image_size")


@dataclass(repr=False)
class Visit:
    item: Item | None = None
    method: str | None = None                      # id_card | qr
    applicant: Applicant | None = None
    form: dict[str, Any] = field(default_factory=dict)
    face: Blob | None = None
    signature: Blob | None = None
    pages: dict[str, list[Blob]] = field(default_factory=dict)  # material code → pages
    draft: TransactionDraft | None = None
    action: Action | None = None
    problems: list[Any] = field(default_factory=list)
    txn_id: str | None = None
    receipt_ok: bool | None = None
    guide_print_ok: bool | None = None
    progress_count: int | None = None
    found: list[FoundCase] = field(default_factory=list)  # cases of a progress answer to rate
    rating_case: FoundCase | None = None                   # the one being rated

    def __repr__(self) -> str:
        code = self.item.code if self.item else None
        return f"Visit(item={code!r}, <personal data masked>)"

    def blobs(self) -> list[Blob]:
        pages = [blob for taken in self.pages.values() for blob in taken]
        return pages + [b for b in (self.face, self.signature) if b is not None]

    def wipe(self) -> None:
        """Zero every blob, clear every container, drop every reference."""
        if self.draft is not None:
            self.draft.wipe()
        for blob in self.blobs():
            blob.wipe()
        for taken in self.pages.values():
            taken.clear()
        self.pages.clear()
        self.form.clear()
        self.problems.clear()
        self.found.clear()
        for name in self.__dataclass_fields__:
            if name not in ("form", "pages", "problems", "found"):
                setattr(self, name, None)

    # -- materials ------------------------------------------------------------------------
    def requirement(self, code: str) -> MaterialRequirement:
        for req in self.item.materials if self.item else []:
            if req.code == code:
                return req
        raise InputError("unknown_material")

    def pages_taken(self, code: str) -> int:
        return len(self.pages.get(code, []))

    def materials_missing(self) -> list[MaterialRequirement]:
        """Required materials not fully photographed, and optional ones begun but not done."""
        missing = []
        for req in self.item.materials if self.item else []:
            taken = self.pages_taken(req.code)
            if taken < req.pages and (req.required or taken):
                missing.append(req)
        return missing

    # -- the draft --------------------------------------------------------------------------
    def build_draft(self, created_at: datetime) -> TransactionDraft:
        """The transaction as the outbox takes it. It shares the blobs (no copies of the
        photos linger); the form is copied so a failed commit leaves the visit intact."""
        item, applicant = self.item, self.applicant
        assert item is not None and applicant is not None and self.method is not None
        phone = self.form.get("phone")
        if isinstance(phone, str) and phone and not applicant.phone:
            applicant = applicant.model_copy(update={"phone": phone[:24]})
        materials = []
        for req in item.materials:
            taken = self.pages.get(req.code, [])
            for number, blob in enumerate(taken, 1):
                name = f"{req.name}（第{number}页）" if len(taken) > 1 else req.name
                materials.append(MaterialBlob(req.code, name, blob))
        return TransactionDraft(
            item_code=item.code, item_version=item.version, item_name=item.name,
            promised_days=item.promised_days, identity_method=self.method,  # type: ignore[arg-type]
            applicant=applicant, created_at=created_at, form=dict(self.form),
            materials=materials, face_photo=self.face, signature=self.signature)
