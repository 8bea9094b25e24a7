"""Errors of the ID card reader, each tied to the SW3 status that caused it.

The reader's status byte decides the kind: a SAM fault needs a technician
(:class:`SamError`, a hardware error), a card that cannot be read needs the citizen to
place it again (:class:`CardReadError`), and a line that keeps corrupting frames is as
good as no line (:class:`BrokenLine`, the device is unavailable).
"""

from __future__ import annotations

from drivers.errors import DeviceUnavailable, HardwareError, UserActionNeeded
from drivers.idcard.protocol import (
    SW3_BAD_COMMAND,
    SW3_CARD_AUTH_READER_FAILED,
    SW3_FIND_FAILED,
    SW3_INFO_VERIFY_ERROR,
    SW3_RANDOM_FAILED,
    SW3_READ_FAILED,
    SW3_READER_AUTH_CARD_FAILED,
    SW3_SAM_SELF_TEST_FAILED,
    SW3_SAM_UNAUTHORISED,
    SW3_SELECT_FAILED,
    SW3_UNAUTHORISED_OPERATION,
    SW3_UNKNOWN_CARD_TYPE,
    SW3_UNKNOWN_ERROR,
    Status,
    describe_sw3,
)


class _WithStatus:
    sw3: int | None = None

    @property
    def status(self) -> Status | None:
        return None if self.sw3 is None else describe_sw3(self.sw3)


class SamError(_WithStatus, HardwareError):
    """The reader's security module failed its self-test or is not authorised."""

    code = "idcard_sam_fault"


class ReaderError(_WithStatus, HardwareError):
    """The reader refused a command or answered a status this driver cannot act on."""

    code = "idcard_reader_error"


class CardReadError(_WithStatus, UserActionNeeded):
    """A card is there but could not be read: place it again, or it is not a valid card."""

    code = "idcard_read_failed"


class NoCard(UserActionNeeded):
    """No card was placed on the reader in time."""

    code = "idcard_no_card"


class BrokenLine(DeviceUnavailable):
    """Frames kept arriving corrupted (bad checksum or length) after the retries."""

    code = "idcard_broken_line"


SAM_FAULTS = frozenset({SW3_SAM_SELF_TEST_FAILED, SW3_SAM_UNAUTHORISED})
CARD_FAULTS = frozenset({SW3_READ_FAILED, SW3_CARD_AUTH_READER_FAILED, SW3_READER_AUTH_CARD_FAILED,
                         SW3_INFO_VERIFY_ERROR, SW3_UNKNOWN_CARD_TYPE, SW3_RANDOM_FAILED,
                         SW3_SELECT_FAILED})
READER_FAULTS = frozenset({SW3_BAD_COMMAND, SW3_UNAUTHORISED_OPERATION, SW3_UNKNOWN_ERROR})


def status_error(sw3: int, command: str) -> Exception:
    """The typed error for an unexpected SW3 in answer to ``command``."""
    status = describe_sw3(sw3)
    text = f"{command}: SW3 {sw3:02X} {status.en}"
    err: _WithStatus
    if sw3 in SAM_FAULTS:
        err = SamError(text)
    elif sw3 in CARD_FAULTS:
        err = CardReadError(text)
    elif sw3 == SW3_FIND_FAILED:
        return NoCard(text)
    else:
        err = ReaderError(text)
    err.sw3 = sw3
    return err  # type: ignore[return-value]
