"""Coverage-guided fuzz targets (atheris, libFuzzer) for the codecs and the loaders.

Usage: ``python -m tests.fuzz.atheris_targets TARGET [libFuzzer flags] [CORPUS_DIR]``, e.g.
``python -m tests.fuzz.atheris_targets idcard -runs=5000 -timeout=20``. TARGET is one of
:data:`TARGETS`. Each target splits the input with a ``FuzzedDataProvider``, calls the
entry points and lets only the module's typed errors pass; anything else propagates, and
atheris reports it with the input and exits non-zero. ``-timeout`` makes one input that
runs too long (a hang) fail too. Only our own packages (drivers, kiosk) are instrumented.
``--seeds DIR`` writes a seed corpus of good inputs (a real card's reply, a good config, a
catalog cache) to DIR and exits.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["drivers", "kiosk"]):
    from drivers.errors import CodecError
    from drivers.idcard import card as idcard
    from drivers.idcard import protocol as p
    from drivers.printer import readback, status
    from drivers.printer.errors import StatusError
    from drivers.scanner import evcodec, framing, text
    from drivers.scanner.serial_scanner import SerialScanner
    from drivers.scanner.wedge import WedgeScanner
    from kiosk.catalog.loader import CatalogStore, catalog_payload
    from kiosk.config import ConfigError, load_config

#: Where the file targets write their input (the test passes its tmp_path: nothing left behind).
WORK = Path(os.environ.get("KIOSK_FUZZ_WORK") or tempfile.mkdtemp(prefix="kiosk-atheris-"))
WORK.mkdir(parents=True, exist_ok=True)


def idcard_target(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    with_fingerprint = fdp.ConsumeBool()
    parser = p.ReplyParser()
    for _ in range(fdp.ConsumeIntInRange(0, 4)):
        for item in parser.feed(fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))):
            if isinstance(item, p.Reply):
                _typed(lambda: idcard.decode_read_payload(item.payload, with_fingerprint), CodecError)
        assert parser.pending <= len(p.PREAMBLE) + 2 + p.MAX_LENGTH
    rest = fdp.ConsumeBytes(fdp.remaining_bytes())
    for call in (lambda: idcard.decode_read_payload(rest, with_fingerprint), lambda: idcard.decode_text(rest),
                 lambda: idcard.decode_appended_address(rest), lambda: p.format_sam_id(rest),
                 lambda: p.encode_sam_id(rest.decode("latin-1"))):
        _typed(call, CodecError)


def scanner_target(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    max_bytes = fdp.ConsumeIntInRange(1, 3000)
    raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 4000))
    _typed(lambda: text.decode_payload(raw, max_bytes=max_bytes), text.ScanTextError)
    _typed(lambda: evcodec.decode_events(raw), CodecError)
    framing.split_aim(raw)
    codes: list = []
    serial_scanner = SerialScanner("/nonexistent", codes.append, aim_ids=fdp.ConsumeBool(), debounce=0,
                                   max_bytes=max_bytes)
    wedge = WedgeScanner("/nonexistent", codes.append, debounce=0, max_bytes=max_bytes)
    serial_scanner.feed(raw)
    wedge.feed(raw)
    rest = fdp.ConsumeBytes(fdp.remaining_bytes())
    serial_scanner.feed(rest)
    wedge.feed(rest)
    assert all(code.text for code in codes)


def printer_target(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    replies = {n: fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 2)) or None for n in status.QUERIES}
    got = _typed(lambda: status.combine(replies), StatusError)
    if isinstance(got, status.PrinterStatus):
        status.classify(got)
    job = fdp.ConsumeBytes(fdp.remaining_bytes())
    _typed(lambda: readback.read_back(job), CodecError)
    for pos in (0, len(job) // 2, max(0, len(job) - 3)):
        _typed(lambda: readback.next_token(job, pos), CodecError)


def config_target(data: bytes) -> None:
    path = WORK / "kiosk.toml"
    path.write_bytes(data)
    _typed(lambda: load_config(path), ConfigError)


_CATALOG_STORE: list[CatalogStore] = []


def catalog_target(data: bytes) -> None:
    if not _CATALOG_STORE:
        _CATALOG_STORE.append(CatalogStore(WORK / "catalog"))
    store = _CATALOG_STORE[0]
    store.cache_dir.mkdir(exist_ok=True)
    store.cache_path.write_bytes(data)
    store.reload()  # a cache that cannot be used is ignored: never an error
    assert store.source in ("fetched", "shipped")


TARGETS = {"idcard": idcard_target, "scanner": scanner_target, "printer": printer_target,
           "config": config_target, "catalog": catalog_target}


def _typed(call, allowed):
    try:
        return call()
    except allowed as err:
        return err


def write_seeds(name: str, folder: Path) -> None:
    """Good inputs for ``name``'s corpus: libFuzzer mutates them into deep paths at once."""
    from drivers.idcard.samples import SAMPLES
    from tests.kiosk.test_config import GOOD

    folder.mkdir(parents=True, exist_ok=True)
    seeds: list[bytes] = []
    if name == "idcard":
        for card in SAMPLES.values():
            reply = p.encode_reply(p.SW3_OK, idcard.encode_read_payload(card))
            seeds.append(b"\x00\x01" + reply[:256] + b"\x01" + reply[256:])
    elif name == "scanner":
        seeds = [b"\x00" + "办事指南 https://zwfw.example.gov.cn/q?x=1\r\n".encode("gb18030"),
                 b"\x01" + evcodec.type_text("ZZ-EQ-0001-20261122-000001")]
    elif name == "printer":
        seeds = [b"\x00\x16\x00\x12" + b"\x1b@\x1c&\xd6\xd0\xce\xc4\x1c.\n\x1dV\x00"]
    elif name == "config":  # with the two inputs tomllib answers with a bare ValueError / RecursionError
        seeds = [GOOD.encode("utf-8"), GOOD.replace("58", "1" * 4400).encode(), b"a = " + b"[" * 3000]
    elif name == "catalog":
        store = CatalogStore(WORK / "seed")
        store.accept(catalog_payload(store.current()), '"v1"')
        seeds = [store.cache_path.read_bytes(), b'{"format": 1, "catalog": ' + b"9" * 4400 + b"}",
                 b"[" * 3000]
    for number, seed in enumerate(seeds):
        (folder / f"seed{number}").write_bytes(seed)


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--seeds":
        write_seeds(sys.argv[2], Path(sys.argv[3]))
        return
    name = sys.argv.pop(1)
    atheris.Setup(sys.argv, TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
