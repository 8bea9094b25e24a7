"""QR scanner: three sources (serial, keyboard wedge, camera), one interface.

Each source hands a :class:`ScannedCode` to an ``on_code(code)`` callback; the same code
seen again within the debounce window is not handed on twice. Heavy modules (OpenCV,
zxing-cpp, evdev) load only when the source that needs them is imported.
"""

from drivers.scanner.model import QR_CODE, UNKNOWN_FORMAT, CodeSink, Debouncer, ScannedCode
from drivers.scanner.text import (
    CodeTooLong,
    ControlCharacter,
    EmptyCode,
    ScanTextError,
    UndecodableCode,
    decode_payload,
    decode_text,
)

__all__ = [
    "QR_CODE", "UNKNOWN_FORMAT", "CodeSink", "Debouncer", "ScannedCode",
    "CodeTooLong", "ControlCharacter", "EmptyCode", "ScanTextError", "UndecodableCode",
    "decode_payload", "decode_text",
]
