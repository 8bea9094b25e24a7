"""Reading ESC/POS bytes back: what a printer would put on paper (pure, for the emulator,
the tests and the simulator).

:func:`next_token` cuts one command or one run of text off a byte stream, or says it needs
more bytes; :func:`read_back` turns a whole job into printed lines (text decoded as
GB18030 inside ``FS &`` … ``FS .``, as code page 437 outside), QR payloads and cuts.
Unknown commands are a :class:`CodecError`: this driver sends none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.errors import CodecError

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C

# Fixed-length commands: total length including the prefix and the command byte.
_FIXED = {
    (ESC, ord("@")): 2, (ESC, ord("2")): 2, (ESC, ord("3")): 3, (ESC, ord("!")): 3,
    (ESC, ord("E")): 3, (ESC, ord("G")): 3, (ESC, ord("-")): 3, (ESC, ord("a")): 3,
    (ESC, ord("d")): 3, (ESC, ord("J")): 3, (ESC, ord("t")): 3, (ESC, ord("M")): 3,
    (ESC, ord("{")): 3, (ESC, ord("V")): 3, (ESC, ord("R")): 3, (ESC, ord("p")): 5,
    (GS, ord("!")): 3, (GS, ord("B")): 3, (GS, ord("H")): 3, (GS, ord("h")): 3,
    (GS, ord("w")): 3, (GS, ord("f")): 3, (GS, ord("L")): 4, (GS, ord("W")): 4,
    (GS, ord("a")): 3, (GS, ord("r")): 3,
    (FS, ord("&")): 2, (FS, ord(".")): 2, (FS, ord("!")): 3, (FS, ord("C")): 3,
    (FS, ord("-")): 3, (FS, ord("W")): 3, (FS, ord("S")): 4,
}


@dataclass(frozen=True)
class Token:
    kind: str  # "text", "ctl", "cmd", "status", "2d", "cut"
    raw: bytes
    name: str = ""  # e.g. "ESC a" for commands, "LF" for controls
    arg: bytes = b""  # the parameter bytes (for GS ( k: cn fn m data)


def _name(prefix: int, cmd: int) -> str:
    return {ESC: "ESC", GS: "GS", FS: "FS", DLE: "DLE"}[prefix] + " " + chr(cmd)


def next_token(buf: bytes, pos: int = 0) -> tuple[Token, int] | None:
    """The token at ``pos`` and the position after it; None when ``buf`` ends mid-command."""
    if pos >= len(buf):
        return None
    b = buf[pos]
    if b >= 0x20:
        end = pos
        while end < len(buf) and buf[end] >= 0x20:
            end += 1
        return Token("text", buf[pos:end]), end
    if b in (LF, CR, HT, FF):
        return Token("ctl", buf[pos:pos + 1], {LF: "LF", CR: "CR", HT: "HT", FF: "FF"}[b]), pos + 1
    if b not in (ESC, GS, FS, DLE):
        raise CodecError(f"stray control byte 0x{b:02x} at {pos}")
    if pos + 1 >= len(buf):
        return None
    c = buf[pos + 1]
    if b == DLE:
        if c != 0x04:
            raise CodecError(f"unknown real-time command DLE 0x{c:02x}")
        if pos + 2 >= len(buf):
            return None
        n = buf[pos + 2]
        if n not in (1, 2, 3, 4):
            raise CodecError(f"DLE EOT {n} is not a status query")
        return Token("status", buf[pos:pos + 3], "DLE EOT", bytes([n])), pos + 3
    if b == GS and c == ord("V"):
        if pos + 2 >= len(buf):
            return None
        m = buf[pos + 2]
        size = 4 if m in (65, 66, 97, 98, 103, 104) else 3
        if m not in (0, 1, 48, 49, 65, 66, 97, 98, 103, 104):
            raise CodecError(f"GS V {m}: unknown cut")
        if pos + size > len(buf):
            return None
        return Token("cut", buf[pos:pos + size], "GS V", buf[pos + 2:pos + size]), pos + size
    if b == GS and c in (ord("("), ord("8")):
        if pos + 2 >= len(buf):
            return None
        fn = buf[pos + 2]
        if c == ord("(") and pos + 4 < len(buf):
            length = buf[pos + 3] | buf[pos + 4] << 8
            if pos + 5 + length > len(buf):
                return None
            end = pos + 5 + length
            return Token("2d", buf[pos:end], "GS ( " + chr(fn), buf[pos + 5:end]), end
        if c == ord("("):
            return None
        raise CodecError("GS 8 extended commands are not supported")
    size = _FIXED.get((b, c))
    if size is None:
        raise CodecError(f"unknown command {_name(b, c)!r} at {pos}")
    if pos + size > len(buf):
        return None
    return Token("cmd", buf[pos:pos + size], _name(b, c), buf[pos + 2:pos + size]), pos + size


def tokens(data: bytes) -> list[Token]:
    """Every token of a complete job; a job cut short is a CodecError."""
    out, pos = [], 0
    while pos < len(data):
        step = next_token(data, pos)
        if step is None:
            raise CodecError(f"job ends inside a command at {pos}")
        token, pos = step
        out.append(token)
    return out


@dataclass(frozen=True)
class PrintedLine:
    text: str
    align: str = "left"
    bold: bool = False
    width: int = 1  # character size multipliers
    height: int = 1


@dataclass
class Printout:
    """What came out of the printer."""

    lines: list[PrintedLine] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    cuts: int = 0
    status_queries: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def nonblank(self) -> list[str]:
        return [line.text for line in self.lines if line.text.strip()]


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


def _decode_text(raw: bytes, chinese: bool) -> str:
    if chinese:
        return raw.decode("gb18030", errors="replace")
    return raw.decode("cp437")


def read_back(data: bytes) -> Printout:
    """The printout of a whole job (``render`` output, or what an emulator received)."""
    out = Printout()
    chinese = bold = False
    align, width, height = "left", 1, 1
    current: list[bytes] = []
    line_chinese: list[bool] = []
    qr_store = b""

    def flush() -> None:
        text = "".join(_decode_text(raw, zh) for raw, zh in zip(current, line_chinese))
        out.lines.append(PrintedLine(text, align, bold, width, height))
        current.clear()
        line_chinese.clear()

    for tok in tokens(data):
        if tok.kind == "text":
            current.append(tok.raw)
            line_chinese.append(chinese)
        elif tok.kind == "ctl" and tok.name == "LF":
            flush()
        elif tok.kind == "status":
            out.status_queries.append(tok.arg[0])
        elif tok.kind == "cut":
            if current:
                flush()
            out.cuts += 1
        elif tok.kind == "2d" and tok.name == "GS ( k" and tok.arg[:1] == b"1":  # cn 49: QR
            fn = chr(tok.arg[1]) if len(tok.arg) > 1 else ""
            if fn == "P":
                qr_store = tok.arg[3:]  # cn fn m, then the data
            elif fn == "Q":
                try:
                    out.qr_codes.append(qr_store.decode("utf-8"))
                except UnicodeDecodeError:
                    out.qr_codes.append(qr_store.decode("gb18030", errors="replace"))
        elif tok.kind == "cmd":
            name, arg = tok.name, tok.arg
            if name == "FS &":
                chinese = True
            elif name == "FS .":
                chinese = False
            elif name == "ESC @":
                chinese = bold = False
                align, width, height = "left", 1, 1
            elif name == "ESC a":
                align = _ALIGN.get(arg[0], "left")
            elif name == "ESC E":
                bold = bool(arg[0] & 1)
            elif name == "GS !":
                width, height = (arg[0] >> 4) + 1, (arg[0] & 0x0F) + 1
            elif name == "ESC d":
                if current:
                    flush()
                for _ in range(arg[0]):
                    out.lines.append(PrintedLine(""))
    if current:
        flush()
    return out
