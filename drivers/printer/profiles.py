"""Capability profiles of the receipt printers the kiosk uses: one value per paper width.

After python-escpos: what differs between printers (paper width, columns, QR module size)
is data, not a subclass per model. Widths are for font A (12×24 dots): an ASCII character
takes one column, a Chinese character (24×24) two.
"""

from __future__ import annotations

from dataclasses import dataclass

DOTS_PER_MM = 8  # 203 dpi, the resolution of nearly every thermal receipt head


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    paper_mm: int  # paper width
    print_dots: int  # printable width in dots
    columns: int  # font A columns (ASCII characters per line)
    qr_module: int  # dots per QR module; big enough for phone cameras, small enough to fit
    line_dots: int = 30  # default line pitch (ESC 2): 24-dot font + 6 dots of spacing
    cut_feed_lines: int = 6  # python-escpos feeds this many lines before GS V
    escpos_profile: str = "default"  # python-escpos capability profile used for the commands

    @property
    def cjk_columns(self) -> int:
        """Chinese characters per line."""
        return self.columns // 2


PAPER_58 = PrinterProfile(name="58mm", paper_mm=58, print_dots=384, columns=32, qr_module=6)
PAPER_80 = PrinterProfile(name="80mm", paper_mm=80, print_dots=576, columns=48, qr_module=8)

PROFILES: dict[int, PrinterProfile] = {58: PAPER_58, 80: PAPER_80}


def get_profile(width_mm: int | str) -> PrinterProfile:
    """The profile for a paper width of 58 or 80 mm (``58``, ``"80"``, ``"80mm"``)."""
    key = str(width_mm).strip().lower().removesuffix("mm")
    try:
        return PROFILES[int(key)]
    except (ValueError, KeyError):
        raise ValueError(f"unknown paper width {width_mm!r}; known: 58, 80") from None
