"""A small, pure document model of a receipt, and its rendering to ESC/POS bytes.

The kiosk's receipt composer fills a :class:`Document` (already masked: ``张*三``); the
driver renders it for the paper in the printer. python-escpos (its ``Dummy`` printer)
writes the commands — reset, style, alignment, native QR (``GS ( k``), feed, cut — and
this module writes the text bytes itself: a line with any non-ASCII character goes out
as GB18030 inside Chinese mode (``FS &`` … ``FS .``), which python-escpos's code-page
encoder cannot do (it has no GB18030 and no four-byte characters). Sizes use ``GS !`` so
that Chinese characters grow too (``ESC !`` would only touch ASCII).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

from drivers.printer.errors import DocumentError
from drivers.printer.layout import clean, text_width, wrap
from drivers.printer.profiles import DOTS_PER_MM, PrinterProfile

FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
QR_MAX_BYTES = 600  # a receipt's code is a number or a short URL; more would not scan well

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the paper; double width halves the columns."""

    text: str = field(repr=False)  # may hold (masked) personal data
    align: Align = "left"
    bold: bool = False
    double_width: bool = False
    double_height: bool = False


@dataclass(frozen=True)
class Rule:
    """A line across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class KeyValue:
    """``label：value``; the value wraps under itself, or below the label when long."""

    key: str
    value: str = field(repr=False)  # may hold (masked) personal data
    separator: str = "："


@dataclass(frozen=True)
class QrCode:
    """A QR code drawn by the printer itself (``GS ( k``), error correction M."""

    data: str
    align: Align = "center"
    module: int | None = None  # dots per module; None: the profile's


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = False


Item = Union[Text, Rule, KeyValue, QrCode, Feed, Cut]


@dataclass
class Document:
    """An ordered list of items, built with chained calls::

        Document().text("受理回执", align="center", bold=True).rule().kv("受理编号", no).qr(no).cut()

    Its ``repr`` shows no content: a receipt holds (masked) personal data.
    """

    items: list[Item] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Document({len(self.items)} items)"

    def add(self, item: Item) -> "Document":
        if not isinstance(item, (Text, Rule, KeyValue, QrCode, Feed, Cut)):
            raise DocumentError(f"not a document item: {type(item).__name__}")
        self.items.append(item)
        return self

    def text(self, text: str, align: Align = "left", bold: bool = False,
             double_width: bool = False, double_height: bool = False) -> "Document":
        return self.add(Text(text, align, bold, double_width, double_height))

    def rule(self, char: str = "-") -> "Document":
        return self.add(Rule(char))

    def kv(self, key: str, value: str, separator: str = "：") -> "Document":
        return self.add(KeyValue(key, value, separator))

    def qr(self, data: str, align: Align = "center", module: int | None = None) -> "Document":
        return self.add(QrCode(data, align, module))

    def feed(self, lines: int = 1) -> "Document":
        return self.add(Feed(lines))

    def cut(self, partial: bool = False) -> "Document":
        return self.add(Cut(partial))


# -- layout into printed lines ---------------------------------------------------------------

def kv_lines(item: KeyValue, columns: int) -> list[str]:
    """The lines of a key–value row; continuation lines are indented under the value when
    the label is at most half the paper, else they start at the margin."""
    label = clean(item.key) + clean(item.separator)
    indent = text_width(label) if text_width(label) <= columns // 2 else 0
    body = wrap(item.value, columns - indent, first_width=columns - text_width(label))
    if body[0] == "" and len(body) > 1:  # nothing fitted beside the label
        return [label.rstrip(" ")] + [" " * indent + ln for ln in body[1:]]
    return [label + body[0]] + [" " * indent + ln for ln in body[1:]]


def text_lines(item: Text, columns: int) -> list[str]:
    return wrap(item.text, columns // 2 if item.double_width else columns)


def rule_line(item: Rule, columns: int) -> str:
    char = clean(item.char)[:1] or "-"
    return char * (columns // text_width(char))


# -- rendering -------------------------------------------------------------------------------

def _line_bytes(line: str) -> bytes:
    """A printed line: ASCII as is; anything else wholly in Chinese mode, as GB18030."""
    if line.isascii():
        return line.encode("ascii") + b"\n"
    body = line.encode("gb18030", errors="replace")  # only lone surrogates can fail
    return FS_CHINESE_ON + body + FS_CHINESE_OFF + b"\n"


def _qr_payload(item: QrCode) -> None:
    size = len(item.data.encode("utf-8"))
    if size == 0 or size > QR_MAX_BYTES:
        raise DocumentError(f"QR payload of {size} bytes (1..{QR_MAX_BYTES})")


def render(doc: Document, profile: PrinterProfile) -> bytes:
    """The ESC/POS bytes of ``doc`` for ``profile``'s paper."""
    from escpos.constants import QR_ECLEVEL_M, QR_MODEL_2
    from escpos.printer import Dummy

    p = Dummy(profile=profile.escpos_profile)
    p.hw("INIT")  # ESC @: a known state whatever the last job left
    p.line_spacing()  # ESC 2: the default pitch the paper estimate counts on
    for item in doc.items:
        if isinstance(item, Text):
            p.set(align=item.align, bold=item.bold, custom_size=True,
                  width=2 if item.double_width else 1, height=2 if item.double_height else 1)
            for line in text_lines(item, profile.columns):
                p._raw(_line_bytes(line))
            if item.bold or item.double_width or item.double_height:
                p.set(bold=False, custom_size=True, width=1, height=1)
        elif isinstance(item, Rule):
            p.set(align="left")
            p._raw(_line_bytes(rule_line(item, profile.columns)))
        elif isinstance(item, KeyValue):
            p.set(align="left")
            for line in kv_lines(item, profile.columns):
                p._raw(_line_bytes(line))
        elif isinstance(item, QrCode):
            _qr_payload(item)
            module = item.module or profile.qr_module
            if not 1 <= module <= 16:
                raise DocumentError(f"QR module of {module} dots (1..16)")
            p.set(align=item.align)
            p.qr(item.data, ec=QR_ECLEVEL_M, size=module, model=QR_MODEL_2, native=True)
            p._raw(b"\n")  # the code prints with the line feed that follows it
        elif isinstance(item, Feed):
            if not 0 <= item.lines <= 255:
                raise DocumentError(f"feed of {item.lines} lines (0..255)")
            p.print_and_feed(item.lines)
        elif isinstance(item, Cut):
            p.cut(mode="PART" if item.partial else "FULL")
    return p.output


# -- paper used ------------------------------------------------------------------------------

def _qr_modules(data: str) -> int:
    """Modules across a QR code of ``data`` at level M, plus the printer's 4-module margin."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return 17 + 4 * int(code.version) + 8


def paper_length_mm(doc: Document, profile: PrinterProfile) -> float:
    """Paper the document takes, estimated from line pitch and QR size, in millimetres.

    It is what the paper counter adds up; a roll's length is sold in metres, so the
    service menu can warn before the near-end sensor does.
    """
    dots = 0
    pitch = profile.line_dots
    for item in doc.items:
        if isinstance(item, Text):
            dots += len(text_lines(item, profile.columns)) * pitch * (2 if item.double_height else 1)
        elif isinstance(item, Rule):
            dots += pitch
        elif isinstance(item, KeyValue):
            dots += len(kv_lines(item, profile.columns)) * pitch
        elif isinstance(item, QrCode):
            dots += _qr_modules(item.data) * (item.module or profile.qr_module) + pitch
        elif isinstance(item, Feed):
            dots += item.lines * pitch
        elif isinstance(item, Cut):
            dots += profile.cut_feed_lines * pitch
    return round(dots / DOTS_PER_MM, 1)
