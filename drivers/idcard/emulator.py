"""An ID card reader on a pty that answers exactly as a SAM_V reader does.

It keeps the card's life cycle a real reader has: a placed card is found (``9F``), then
selected, then read; after a read the card stays halted, so "find card" fails (``80``)
until it is lifted and placed again, while "select card" still succeeds as long as it
lies there. Faults on demand: a status for the next command (``fail_next``), a SAM that
fails its self-test (``sam_fault``), corrupted replies (``corrupt_next``: bad checksum,
bad length, a frame cut short), line noise before the next replies (``noise_next``),
silence, unplug and plug.
"""

from __future__ import annotations

from collections import defaultdict, deque

from drivers.emulator import SerialEmulator
from drivers.idcard import protocol as p
from drivers.idcard.card import IdCard, encode_appended_address, encode_read_payload

DEFAULT_SAM_ID = "05.01-20101010-0000001234-0123456789"
CORRUPTIONS = ("checksum", "length", "truncate")

# card states
NONE, PLACED, FOUND, SELECTED, HALTED = "none", "placed", "found", "selected", "halted"


class IdCardEmulator(SerialEmulator):
    name = "idcard"

    def __init__(self, link: str | None = None, sam_id: str = DEFAULT_SAM_ID) -> None:
        super().__init__(link)
        self.sam_id = sam_id
        #: An SW3 (``0x60`` or ``0x66``) every command gets while the SAM is broken.
        self.sam_fault: int | None = None
        self.card: IdCard | None = None
        self.appended_address: str | None = None
        self.state = NONE
        #: Some readers find a card again after reading it, while it still lies there.
        self.refind_after_read = False
        #: Commands received, as ``(code, para)`` keys, for tests to assert on.
        self.received: list[bytes] = []
        self.reads = 0
        self._parser = p.FrameParser()
        self._fail: dict[bytes, deque[int]] = defaultdict(deque)
        self._corrupt: deque[str] = deque()
        self._noise_next: deque[bytes] = deque()

    # -- the card -------------------------------------------------------------------
    def place(self, card: IdCard, appended_address: str | None = None) -> None:
        """Lay ``card`` on the reader (a fresh placement: it can be found again)."""
        with self._lock:
            self.card, self.appended_address, self.state = card, appended_address, PLACED

    def lift(self) -> None:
        with self._lock:
            self.card, self.appended_address, self.state = None, None, NONE

    # -- faults ---------------------------------------------------------------------
    def fail_next(self, command: p.Command | bytes, sw3: int, times: int = 1) -> None:
        """Answer the next ``times`` uses of ``command`` with status ``sw3`` and no data."""
        key = command.key if isinstance(command, p.Command) else bytes(command)
        with self._lock:
            self._fail[key].extend([sw3] * times)

    def corrupt_next(self, kind: str, times: int = 1) -> None:
        """Spoil the next ``times`` replies: ``checksum``, ``length`` (out of range) or
        ``truncate`` (the frame stops halfway and nothing follows)."""
        if kind not in CORRUPTIONS:
            raise ValueError(f"corruption is one of {CORRUPTIONS}")
        with self._lock:
            self._corrupt.extend([kind] * times)

    def noise_next(self, data: bytes, times: int = 1) -> None:
        """Send ``data`` as line noise just before each of the next ``times`` replies."""
        with self._lock:
            self._noise_next.extend([bytes(data)] * times)

    def clear_faults(self) -> None:
        """Forget the statuses, corruptions and noise still queued for coming replies."""
        with self._lock:
            self._fail.clear()
            self._corrupt.clear()
            self._noise_next.clear()

    def plug(self) -> None:
        with self._lock:
            self._parser.reset()
        super().plug()

    # -- serving --------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        for item in self._parser.feed(data):
            if isinstance(item, p.ChecksumError):
                self._send(p.SW3_CHECKSUM_ERROR)
            elif isinstance(item, p.FrameError):
                self._send(p.SW3_LENGTH_ERROR)
            else:
                try:
                    frame = p.decode_command(item)
                except p.FrameError:
                    self._send(p.SW3_LENGTH_ERROR)
                    continue
                self._handle(frame)

    def _handle(self, frame: p.CommandFrame) -> None:
        key = frame.key
        self.received.append(key)
        if self._fail.get(key):
            self._send(self._fail[key].popleft())
            return
        command = p.COMMANDS.get(key)
        if command is None or frame.data:
            self._send(p.SW3_BAD_COMMAND)
            return
        if self.sam_fault is not None:
            self._send(self.sam_fault)
            return
        if command in (p.RESET_SAM, p.SAM_STATUS):
            self._send(p.SW3_OK)
        elif command == p.SAM_ID:
            self._send(p.SW3_OK, p.encode_sam_id(self.sam_id))
        elif command == p.FIND_CARD:
            self._find()
        elif command == p.SELECT_CARD:
            self._select()
        elif command == p.READ_ADDRESS:
            self._read_address()
        else:
            self._read(command == p.READ_TEXT_PHOTO_FINGERPRINT)

    def _find(self) -> None:
        findable = (PLACED, FOUND, SELECTED, HALTED) if self.refind_after_read else (PLACED, FOUND, SELECTED)
        if self.card is not None and self.state in findable:
            self.state = SELECTED if self.state in (SELECTED, HALTED) else FOUND
            self._send(p.SW3_FOUND, bytes(4))
        else:
            self._send(p.SW3_FIND_FAILED)

    def _select(self) -> None:
        if self.card is not None and self.state in (FOUND, SELECTED, HALTED):
            if self.state == FOUND:
                self.state = SELECTED
            self._send(p.SW3_OK, bytes(8))
        else:
            self._send(p.SW3_SELECT_FAILED)

    def _read(self, with_fingerprint: bool) -> None:
        if self.card is None or self.state not in (SELECTED, HALTED):
            self._send(p.SW3_READ_FAILED)
            return
        self.state = HALTED
        self.reads += 1
        self._send(p.SW3_OK, encode_read_payload(self.card, with_fingerprint))

    def _read_address(self) -> None:
        if self.card is None or self.state not in (SELECTED, HALTED):
            self._send(p.SW3_READ_FAILED)
        elif self.appended_address is None:
            self._send(p.SW3_NO_CONTENT)
        else:
            self._send(p.SW3_OK, encode_appended_address(self.appended_address))

    def _send(self, sw3: int, payload: bytes = b"") -> None:
        frame = bytearray(p.encode_reply(sw3, payload))
        if self._corrupt:
            kind = self._corrupt.popleft()
            if kind == "checksum":
                frame[-1] ^= 0xFF
            elif kind == "length":
                frame[5:7] = b"\xff\xff"
            else:
                frame = frame[: max(len(p.PREAMBLE) + 2, len(frame) // 2)]
        if self._noise_next:
            frame[:0] = self._noise_next.popleft()
        self.reply(bytes(frame))
