"""The wire models of county-api.md, version 1: both sides (the kiosk's client and the
reference backend in ``county/``) validate with these, so they cannot drift apart.

Kept light (pydantic and the standard-library-only ``drivers.privacy``): the backend
imports this module and nothing else of ``kiosk``.
Bodies the kiosk sends forbid unknown keys; answers the kiosk reads ignore unknown keys
(a newer backend may add some) but must hold every key the contract names.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from drivers.privacy import mask_name, mask_number as mask_id_number  # noqa: F401  one masking rule
from kiosk.identity import DEVICE_ID_PATTERN, Identity

API_PREFIX = "/api/v1"
SHA256_HEX = r"^[0-9a-f]{64}$"
TXN_ID_PATTERN = r"^[A-Z0-9-]{3,32}-\d{8}-\d{6}$"
MAX_BLOB_BYTES = 5 * 1024 * 1024
BLOB_TYPES = ("image/jpeg", "image/png")
STATUSES = ("received", "reviewing", "needs_more", "approved", "rejected", "completed")
DEVICE_STATES = ("online", "offline", "no_device", "hardware_error", "user_error", "busy")
UI_STATES = ("serving", "out_of_service", "maintenance", "down")
COMMAND_TYPES = ("reload_catalog", "print_test_page", "set_identity", "restart_app",
                 "enter_maintenance", "leave_maintenance")
RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

Status = Literal["received", "reviewing", "needs_more", "approved", "rejected", "completed"]


MASKED = "<masked>"


class Private(BaseModel):
    """Personal data never in a log line: the fields named in ``private`` show as
    ``<masked>`` in ``repr`` and ``str``, and no input value appears in a validation error's
    text (``hide_input_in_errors``). ``model_dump`` is untouched: the wire needs the values."""

    private: ClassVar[frozenset[str]] = frozenset()

    def __repr_args__(self):  # what pydantic's __repr__ and __str__ both print
        for name, value in super().__repr_args__():
            yield name, (MASKED if name in self.private else value)


class Sent(Private):
    """A body the kiosk builds: nothing beyond the contract."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class Read(BaseModel):
    """A body the kiosk reads: every named key required, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore")


class PrivateRead(Private):
    """A body the kiosk reads that holds personal data (see :class:`Private`)."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


class ErrorBody(Read):
    error: str
    message: str = ""


# -- enrollment --------------------------------------------------------------------------
class EnrollRequest(Sent):
    private = frozenset({"token"})

    token: str = Field(min_length=8, max_length=200)
    device_id: str = Field(pattern=DEVICE_ID_PATTERN)
    public_key: str = Field(description="base64 of the raw 32-byte Ed25519 public key")
    identity: Identity


class EnrollResponse(Read):
    device_id: str
    enrolled_at: AwareDatetime


# -- blobs and transactions ----------------------------------------------------------------
class BlobRef(Sent):
    sha256: str = Field(pattern=SHA256_HEX)
    content_type: Literal["image/jpeg", "image/png"]
    size: int = Field(gt=0, le=MAX_BLOB_BYTES)


class Material(BlobRef):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)


class Applicant(Sent):
    private = frozenset({"id_number", "name", "gender", "nation", "birth", "address", "authority", "valid_from",
                         "valid_to", "phone"})

    id_type: Literal["resident", "hmt_residence", "foreign_permanent"]
    id_number: str = Field(min_length=6, max_length=36)
    name: str = Field(min_length=1, max_length=120)
    gender: Literal["男", "女"]
    nation: str = Field("", max_length=20)
    birth: date
    address: str = Field("", max_length=140)
    authority: str = Field("", max_length=60)
    valid_from: date | None = None
    valid_to: date | Literal["长期"] | None = None
    phone: str = Field("", max_length=24)



class TransactionIn(Sent):
    txn_id: str = Field(pattern=TXN_ID_PATTERN)
    item_code: str = Field(min_length=1, max_length=64)
    item_version: str = Field(min_length=1, max_length=32)
    created_at: AwareDatetime
    identity_method: Literal["id_card", "qr"]
    applicant: Applicant
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[Material] = Field(default_factory=list)
    face_photo: BlobRef | None = None
    signature: BlobRef | None = None

    def blob_hashes(self) -> list[str]:
        """Every blob this transaction names, materials first."""
        refs = [*self.materials, self.face_photo, self.signature]
        return [ref.sha256 for ref in refs if ref is not None]

    def __repr__(self) -> str:
        return f"TransactionIn(txn_id={self.txn_id!r}, item_code={self.item_code!r}, <masked>)"

    __str__ = __repr__


class TransactionAck(Read):
    txn_id: str
    status: Status
    accepted_at: AwareDatetime
    promised_by: date


class HistoryEntry(PrivateRead):
    private = frozenset({"note"})  # a clerk's note may name the citizen

    status: Status
    at: AwareDatetime
    note: str = ""


class MaskedApplicant(PrivateRead):
    """The applicant as a progress answer shows it. Masked here, on parse, whatever the
    backend sent: a kiosk shows only masked names and numbers, and must not depend on the
    backend for that. Masking is idempotent, so an answer masked already stays as it is."""

    private = frozenset({"name", "id_number"})

    name: str
    id_number: str

    @field_validator("name")
    @classmethod
    def _mask_name(cls, value: str) -> str:
        return mask_name(value)

    @field_validator("id_number")
    @classmethod
    def _mask_number(cls, value: str) -> str:
        return mask_id_number(value)


class Progress(PrivateRead):
    private = frozenset({"applicant", "history"})

    txn_id: str
    item_code: str
    item_name: str
    status: Status
    promised_by: date
    history: list[HistoryEntry]
    applicant: MaskedApplicant


class ProgressQuery(Sent):
    private = frozenset({"id_number"})

    id_number: str = Field(min_length=6, max_length=36)


class ProgressList(PrivateRead):
    transactions: list[Progress]


# -- ratings and certificates --------------------------------------------------------------
class RatingIn(Sent):
    private = frozenset({"reasons", "comment"})

    txn_id: str = Field(pattern=TXN_ID_PATTERN)
    score: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list, max_length=10)
    comment: str = Field("", max_length=500)
    rated_at: AwareDatetime


class CertificateRequest(Sent):
    private = frozenset({"id_number"})

    kind: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=6, max_length=36)


class Certificate(PrivateRead):
    private = frozenset({"lines", "verify_code"})  # the lines name the citizen; the code fetches it

    kind: str
    title: str
    lines: list[str]
    issued_at: AwareDatetime
    verify_code: str


# -- catalog --------------------------------------------------------------------------------
class CatalogResponse(Read):
    version: str
    items: list[dict[str, Any]]


# -- beacon ---------------------------------------------------------------------------------
class Software(Sent):
    version: str
    catalog_version: str


class UiState(Sent):
    state: Literal["serving", "out_of_service", "maintenance", "down"]
    since: AwareDatetime | None = None
    last_alive_at: AwareDatetime | None = None


class DeviceHealth(Sent):
    state: Literal["online", "offline", "no_device", "hardware_error", "user_error", "busy"]
    detail: dict[str, Any] = Field(default_factory=dict)
    counters: dict[str, int] = Field(default_factory=dict)


class SystemFigures(Sent):
    cpu_percent: float | None = None
    mem_percent: float | None = None
    disk_free_bytes: int | None = None
    temperature_c: float | None = None


class OutboxFigures(Sent):
    pending: int = Field(ge=0)
    oldest_pending_age_s: int | None = None
    dead: int = Field(ge=0)


class Availability(Sent):
    window_s: int = Field(gt=0)
    serving_s: int = Field(ge=0)


class ServiceFigures(Sent):
    """The service menu's (维护菜单) audit log counted: its entries in the last ``window_s``
    seconds and the newest one. Entries are staff actions and sign-in attempts, e.g.
    ``menu_opened``, ``pin_wrong``, ``menu_locked``, ``paper_replaced``, ``dead_letter_retry``,
    ``dead_letter_discard``, ``identity_edited``, ``maintenance_on``/``maintenance_off``,
    ``app_restart``, ``leave_to_desktop``, ``menu_closed``; unknown names may come. A sudden
    run of ``pin_wrong`` is worth a look. Not in the contract's list: a kiosk whose menu was
    never used sends null, and a backend may ignore it."""

    window_s: int = Field(gt=0)
    entries: int = Field(ge=0)
    last_at: AwareDatetime | None = None
    last_action: str | None = Field(None, max_length=64)
    last_who: str | None = Field(None, max_length=40, description="the staff member's name; empty for a wrong PIN")


class CommandAck(Sent):
    command_id: str = Field(min_length=1, max_length=200)  # as Command.id
    ok: bool
    message: str = Field("", max_length=500)


class Beacon(Sent):
    device_id: str = Field(pattern=DEVICE_ID_PATTERN)
    seq: int = Field(ge=0)
    sent_at: AwareDatetime
    identity: Identity
    software: Software
    uptime_s: int = Field(ge=0)
    ui: UiState
    devices: dict[str, DeviceHealth]
    system: SystemFigures
    outbox: OutboxFigures
    clock_skew_s: int = 0
    availability: Availability
    acks: list[CommandAck] = Field(default_factory=list)
    service: ServiceFigures | None = Field(None, description="the service menu's audit log, counted (this "
                                          "implementation's addition; null when never used)")


class Command(Read):
    id: str = Field(min_length=1, max_length=200, description="opaque; the contract sets no limit, "
                    "this is a sanity cap")
    type: str
    args: dict[str, Any] = Field(default_factory=dict)


class BeaconReply(Read):
    server_time: AwareDatetime
    commands: list[Command] = Field(default_factory=list)


# -- helpers shared by both sides ---------------------------------------------------------------
def rfc3339(moment: datetime) -> str:
    """A time as the contract writes it: seconds, with an offset."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime on the wire")
    return moment.isoformat(timespec="seconds")


def is_txn_id(text: str) -> bool:
    return re.fullmatch(TXN_ID_PATTERN, text) is not None
