"""Typed errors of the receipt printer; each ``code`` is what the UI translates."""

from __future__ import annotations

from drivers.errors import CodecError, DriverError, HardwareError, UserActionNeeded


class StatusError(CodecError):
    """A status reply that no ESC/POS printer sends (its fixed bits are wrong)."""

    code = "bad_status"


class DocumentError(DriverError, ValueError):
    """A document that cannot be printed (empty QR payload, too long, bad option)."""

    code = "bad_document"


class PaperOut(UserActionNeeded):
    code = "paper_out"


class CoverOpen(UserActionNeeded):
    code = "cover_open"


class PrinterFault(HardwareError):
    """Cutter jam, unrecoverable error, head too hot, or offline for a reason it won't say."""

    code = "printer_fault"


class PrintIncomplete(UserActionNeeded):
    """The bytes went out, but the printer stopped (paper ran out, cover opened) at the end:
    the receipt may be cut short and should be printed again once mended."""

    code = "print_incomplete"
