"""Raw bytes of a scanned code → text. Pure: no I/O, no state.

A QR code carries bytes, not text. Codes made by current systems are UTF-8; codes made
by older Chinese systems are GBK (a subset of GB18030) without an ECI marker, which
pyzbar and most phone apps garble. So: UTF-8 first (a leading BOM is dropped), else
GB18030, else a typed :class:`UndecodableCode`. Control characters other than tab, CR
and LF are refused (they are line noise or an attack on whatever shows the text), and
the length is capped. Every refusal is a :class:`~drivers.errors.CodecError` with a
``code`` the UI can translate.
"""

from __future__ import annotations

import unicodedata

from drivers.errors import CodecError

#: The most bytes one QR code can carry (version 40-L, byte mode).
MAX_CODE_BYTES = 2953
UTF8_BOM = b"\xef\xbb\xbf"
ALLOWED_CONTROLS = frozenset("\t\r\n")


class ScanTextError(CodecError):
    """A scanned code whose bytes are not acceptable text."""

    code = "scan_text_error"


class EmptyCode(ScanTextError):
    code = "scan_empty"


class CodeTooLong(ScanTextError):
    code = "scan_too_long"


class UndecodableCode(ScanTextError):
    """Neither UTF-8 nor GB18030."""

    code = "scan_bad_encoding"


class ControlCharacter(ScanTextError):
    code = "scan_control_character"


def decode_payload(raw: bytes, *, max_bytes: int = MAX_CODE_BYTES) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the raw bytes of one code; encoding is
    ``"utf-8"`` or ``"gb18030"``. Raises a :class:`ScanTextError` subclass."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise TypeError("raw must be bytes")
    raw = bytes(raw)
    if len(raw) > max_bytes:
        raise CodeTooLong(f"code of {len(raw)} bytes exceeds {max_bytes}")
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
    if not raw:
        raise EmptyCode("empty code")
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as err:
            # The message names the position only, never the content (it may be personal).
            raise UndecodableCode(f"neither UTF-8 nor GB18030 (byte {err.start})") from None
    check_text(text)
    return text, encoding


def decode_text(raw: bytes, *, max_bytes: int = MAX_CODE_BYTES) -> str:
    """The text of one code (see :func:`decode_payload`)."""
    return decode_payload(raw, max_bytes=max_bytes)[0]


def check_text(text: str) -> None:
    """Refuse empty text and control characters (C0, DEL, C1) other than tab/CR/LF."""
    if not text:
        raise EmptyCode("empty code")
    for index, char in enumerate(text):
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            raise ControlCharacter(f"control character U+{ord(char):04X} at {index}")
