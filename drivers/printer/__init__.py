"""Thermal receipt printer (ESC/POS over serial): documents, status, driver, emulator.

Import what the kiosk needs from here; the emulator is imported from
``drivers.printer.emulator`` only where a simulation or a test wants it.
"""

from drivers.printer.document import Cut, Document, Feed, KeyValue, QrCode, Rule, Text, paper_length_mm, render
from drivers.printer.errors import CoverOpen, DocumentError, PaperOut, PrinterFault, PrintIncomplete, StatusError
from drivers.printer.printer import PrintResult, ReceiptPrinter
from drivers.printer.profiles import PAPER_58, PAPER_80, PrinterProfile, get_profile
from drivers.printer.readback import Printout, read_back
from drivers.printer.status import Paper, PrinterStatus, classify, combine
from drivers.printer.transport import DummyTransport, PrinterTransport, SerialTransport

__all__ = [
    "Cut", "Document", "Feed", "KeyValue", "QrCode", "Rule", "Text", "paper_length_mm", "render",
    "CoverOpen", "DocumentError", "PaperOut", "PrinterFault", "PrintIncomplete", "StatusError",
    "PrintResult", "ReceiptPrinter", "PAPER_58", "PAPER_80", "PrinterProfile", "get_profile",
    "Printout", "read_back", "Paper", "PrinterStatus", "classify", "combine",
    "DummyTransport", "PrinterTransport", "SerialTransport",
]
