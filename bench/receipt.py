"""The 受理回执: time to compose and encode it with its QR code, bytes sent to the printer.

    .venv/bin/python bench/receipt.py            # 1000 encodings, 30 prints over a pty (~15 s)
    .venv/bin/python bench/receipt.py --quick    # 5 and 2 (a check that it runs)
    .venv/bin/python bench/receipt.py --runs 5000 --prints 100

1. encode: ``kiosk.receipts.acceptance_receipt`` (the Document, masked) then
   ``drivers.printer.render`` (layout, GB18030 text, native QR ``GS ( k``) for 80 and 58 mm
   paper, and the paper estimate the driver adds up (``paper_length_mm``); median and p95 of
   CPU milliseconds (``time.process_time``: other work on the machine does not blur them).
2. bytes: the job's total and its parts (text, QR commands, other commands).
3. the peer, python-escpos 3.1 (``escpos.printer.Dummy``), given the same Document's lines
   and QR: native QR, and its default QR (``native=False``: the code sent as a raster image).
   It is handed the lines as they are (no wrapping) and writes Chinese in its own code page.
4. print: ``ReceiptPrinter.print_document`` to the printer emulator over a pty, status
   asked before and after as the driver always does (DLE EOT 1-4, twice), in wall
   milliseconds, against the same bytes' time on the wire at 9600 baud (the printer's
   configured speed) and 115200. A pty moves bytes at memory speed: the wire is the limit.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

from drivers.idcard.samples import ZHANG_GUIYING  # noqa: E402  (a made-up citizen)
from drivers.printer import PAPER_58, PAPER_80, read_back, render  # noqa: E402
from drivers.printer.document import Document, KeyValue, QrCode, Rule, Text, Feed, Cut  # noqa: E402
from drivers.printer.document import paper_length_mm  # noqa: E402
from drivers.printer.readback import tokens  # noqa: E402

TXN = "ZZ-EQ-0001-20261122-000042"
AT = datetime(2026, 11, 22, 14, 3, 27)
PROMISED = date(2026, 12, 4)
STATUS_BYTES = 2 * 4 * (3 + 1)  # DLE EOT n out and one byte back, 4 queries, before and after


def machine() -> str:
    return describe('python-escpos', 'qrcode', 'pyserial', 'pillow')


def compose() -> Document:
    from kiosk.catalog.loader import load_shipped
    from kiosk.identity import Identity
    from kiosk.receipts import acceptance_receipt

    item = compose.item = getattr(compose, "item", None) or load_shipped().get("zz-gljt")
    identity = Identity(device_id="ZZ-EQ-0001", maintainer="二七区政务服务中心",
                        phone="0371-68665010", location="五里堡街道便民服务中心一楼大厅")
    return acceptance_receipt(TXN, item, ZHANG_GUIYING.name, ZHANG_GUIYING.id_number, AT,
                              PROMISED, identity, delivered=True)


def stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def cpu_ms(fn, runs: int) -> tuple[float, float]:
    fn()  # imports and caches outside the timing
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000)
    return stats(times)


def parts(data: bytes) -> dict[str, int]:
    """Bytes of text (with line feeds), of QR commands, and of other commands."""
    out = {"text": 0, "qr": 0, "cmd": 0}
    for token in tokens(data):
        kind = {"text": "text", "ctl": "text", "2d": "qr"}.get(token.kind, "cmd")
        out[kind] += len(token.raw)
    return out


def escpos_peer(doc: Document, columns: int, native: bool) -> bytes:
    """python-escpos writing the same lines and QR code with its own text encoder."""
    from escpos.printer import Dummy

    p = Dummy()
    p.profile.profile_data = copy.deepcopy(p.profile.profile_data)
    p.profile.profile_data["media"]["width"]["pixels"] = PAPER_80.print_dots  # else it prints a warning
    p.hw("INIT")
    for item in doc.items:
        if isinstance(item, Text):
            p.set(align=item.align, bold=item.bold, double_width=item.double_width,
                  double_height=item.double_height)
            p.text(item.text + "\n")
        elif isinstance(item, Rule):
            p.set(align="left")
            p.text(item.char * columns + "\n")
        elif isinstance(item, KeyValue):
            p.set(align="left")
            p.text(f"{item.key}{item.separator}{item.value}\n")
        elif isinstance(item, QrCode):
            p.qr(item.data, size=8, native=native, center=False)
        elif isinstance(item, Feed):
            p.ln(item.lines)
        elif isinstance(item, Cut):
            p.cut()
    return p.output


def encode_table(runs: int) -> dict[str, bytes]:
    print(f"\n1-2. encode ({runs} runs; CPU ms, median / p95) and bytes to the printer")
    print(f"{'what':34} {'med ms':>7} {'p95 ms':>7} {'bytes':>6} {'text':>6} {'QR':>6} {'cmds':>5}")
    doc = compose()
    med, p95 = cpu_ms(compose, runs)
    print(f"{'compose (acceptance_receipt)':34} {med:7.2f} {p95:7.2f}")
    jobs = {}
    for paper in (PAPER_80, PAPER_58):
        data = jobs[paper.name] = render(doc, paper)
        med, p95 = cpu_ms(lambda: render(compose(), paper), runs)
        b = parts(data)
        print(f"{'compose + render ' + paper.name:34} {med:7.2f} {p95:7.2f} {len(data):6d} "
              f"{b['text']:6d} {b['qr']:6d} {b['cmd']:5d}")
    med, p95 = cpu_ms(lambda: paper_length_mm(doc, PAPER_80), runs)
    print(f"{'paper estimate (paper_length_mm)':34} {med:7.2f} {p95:7.2f}   "
          f"({paper_length_mm(doc, PAPER_80)} mm of 80 mm paper)")
    for native in (True, False):
        name = f"python-escpos {'native QR' if native else 'QR as image'} 80mm"
        data = escpos_peer(doc, PAPER_80.columns, native)
        med, p95 = cpu_ms(lambda: escpos_peer(doc, PAPER_80.columns, native), runs)
        qr = len(data) - len(escpos_peer(Document([i for i in doc.items if not isinstance(i, QrCode)]),
                                         PAPER_80.columns, native))
        print(f"{name:34} {med:7.2f} {p95:7.2f} {len(data):6d} {'':>6} {qr:6d}")
    print("  (python-escpos: the peer's own lines are not wrapped to the paper; text+cmds not split)")
    return jobs


def print_table(prints: int, data_80: bytes) -> None:
    from drivers.health import DeviceState
    from drivers.printer import ReceiptPrinter
    from drivers.printer.emulator import PrinterEmulator

    print(f"\n4. print over a pty to the emulator ({prints} jobs, wall ms)")
    doc = compose()
    with PrinterEmulator() as emu:
        printer = ReceiptPrinter.serial(emu.path, 9600, PAPER_80, status_interval=60.0)
        printer.start()
        try:
            deadline = time.monotonic() + 30
            while printer.health.state is not DeviceState.ONLINE and time.monotonic() < deadline:
                time.sleep(0.02)
            times = []
            for _ in range(prints):
                emu.clear()
                t0 = time.perf_counter()
                result = printer.print_document(doc)
                times.append((time.perf_counter() - t0) * 1000)
            printout = read_back(bytes(emu.print_data))
            ok = printout.qr_codes == [TXN] and printout.cuts == 1 and not emu.parse_errors
        finally:
            printer.stop()
    med, p95 = stats(times)
    wire = (result.bytes_sent + STATUS_BYTES) * 10
    print(f"{'what':40} {'med ms':>8} {'p95 ms':>8}")
    print(f"{'print_document over the pty':40} {med:8.1f} {p95:8.1f}   "
          f"({result.bytes_sent} bytes + {STATUS_BYTES} of status; read back right: {ok})")
    print(f"{'on the wire at 9600 baud (8N1)':40} {wire / 9600 * 1000:8.1f}")
    print(f"{'on the wire at 115200 baud (8N1)':40} {wire / 115200 * 1000:8.1f}")
    print(f"  the driver's part over the pty is {med / (wire / 9600 * 1000):.1%} of the 9600-baud wire time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="encodings timed")
    parser.add_argument("--prints", type=int, default=30, help="jobs sent over the pty")
    parser.add_argument("--quick", action="store_true", help="5 encodings, 2 prints")
    args = parser.parse_args(argv)
    runs, prints = (5, 2) if args.quick else (max(1, args.runs), max(1, args.prints))
    print(machine())
    jobs = encode_table(runs)
    print_table(prints, jobs["80mm"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
