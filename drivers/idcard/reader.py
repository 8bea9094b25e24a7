"""The ID card reader driver: pyserial on a port, the SAM_V codec, a poll thread.

Each poll cycle sends "find card". ``9F``: select and read, and hand the card to
``on_card``. ``80`` while a card is held: the reader halts a card after reading it, so
"find" fails while it still lies there; "select" tells which — ``90`` it is still there
(nothing to do), ``81`` it was lifted (``on_removed``). A card found again that equals the
held one is the same card, not a new one.

A frame with a bad checksum or length is retried (``retries`` times), then reported as
:class:`BrokenLine`. A reply that does not come within its timeout is a
:class:`DeviceTimeout`; a SAM fault is a hardware error. A card that cannot be read goes
to ``on_error`` once and the reader stays online; the same card is then retried quietly
every ``failed_card_retry`` seconds, and reported again only once find/select showed it
was lifted (or a good read replaced it).

When the reader is closed — stopped, unplugged, silent, broken line — the held card is
let go: ``on_removed`` fires (on the closing thread, under the transport lock) and no
card data stays in the driver. The first poll after a reconnect selects and reads a card
still lying there, so it is handed over again.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import serial

from drivers.errors import CodecError, DeviceTimeout, DeviceUnavailable, DriverError
from drivers.health import DeviceState
from drivers.idcard import protocol as p
from drivers.idcard.card import IdCard, decode_appended_address, decode_read_payload
from drivers.idcard.errors import BrokenLine, CardReadError, NoCard, status_error
from drivers.serialport import bytes_waiting, discard_input, open_serial, read_exactly, write_all
from drivers.supervisor import DeviceSupervisor

log = logging.getLogger(__name__)

#: Seconds to wait for each reply. Reading text and photo takes a reader about a second.
DEFAULT_TIMEOUTS = {"sam": 0.5, "find": 0.5, "select": 0.5, "read": 3.0}
_READ_CHUNK_TIMEOUT = 0.05


class IdCardReader(DeviceSupervisor):
    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        on_card: Callable[[IdCard], None] | None = None,
        on_removed: Callable[[], None] | None = None,
        on_error: Callable[[DriverError], None] | None = None,
        fingerprint: bool = False,
        timeouts: dict[str, float] | None = None,
        retries: int = 2,
        failed_card_retry: float = 1.0,
        name: str = "idcard",
        **supervisor: float,
    ) -> None:
        super().__init__(name, **supervisor)  # type: ignore[arg-type]
        self.port = port
        self.baudrate = baudrate
        self.on_card = on_card
        self.on_removed = on_removed
        self.on_error = on_error
        self.fingerprint = fingerprint
        self.timeouts = {**DEFAULT_TIMEOUTS, **(timeouts or {})}
        self.retries = retries
        #: Seconds between the quiet retries of a card that failed to read.
        self.failed_card_retry = failed_card_retry
        self.sam_id: str | None = None
        self._conn: serial.Serial | None = None
        self._parser = p.ReplyParser()
        self._held: IdCard | None = None
        #: When the card lying on the reader last failed to read (None: no such card).
        self._failed_at: float | None = None
        #: Look for a card left on the reader at the first poll after open.
        self._recheck = False
        self._deadline: float | None = None

    @property
    def held(self) -> IdCard | None:
        """The card read last and still lying on the reader, if any."""
        return self._held

    # -- supervisor hooks -------------------------------------------------------------
    def open(self) -> None:
        self._conn = open_serial(self.port, self.baudrate, _READ_CHUNK_TIMEOUT)
        self._check(self._transact(p.SAM_STATUS, "sam"), p.SAM_STATUS)
        reply = self._check(self._transact(p.SAM_ID, "sam"), p.SAM_ID)
        self.sam_id = p.format_sam_id(reply.payload)
        self.health.update(sam_id=self.sam_id)
        self._recheck = True

    def close(self) -> None:
        """Let go of the port and of the card: nothing of the last citizen stays here."""
        conn, self._conn = self._conn, None
        held, self._held = self._held, None
        self._failed_at = None
        self._recheck = False
        self._parser.reset()
        try:
            if conn is not None:
                conn.close()
        finally:
            self.health.update(card_present=False)
            if held is not None:
                self._fire("removed", None)

    def poll(self) -> None:
        events: list[tuple[str, object]] = []
        with self._io_lock:
            if not self._connected:
                return
            self._poll_locked(events)
        for kind, value in events:
            self._fire(kind, value)

    # -- one cycle ------------------------------------------------------------------
    def _poll_locked(self, events: list[tuple[str, object]]) -> None:
        found = self._transact(p.FIND_CARD, "find")
        if found.sw3 not in (p.SW3_FOUND, p.SW3_FIND_FAILED):
            raise status_error(found.sw3, p.FIND_CARD.name)
        self._mark_online()
        recheck, self._recheck = self._recheck, False
        if found.sw3 == p.SW3_FIND_FAILED and not recheck:
            if self._held is None and self._failed_at is None:
                return
            if not self._still_there():
                self._failed_at = None
                if self._held is not None:
                    self._drop_held(events)
                return
            if self._failed_at is None:
                return  # the held card still lies there
        if self._failed_at is not None and time.monotonic() - self._failed_at < self.failed_card_retry:
            return  # the card that failed still lies there: try it again later, quietly
        try:
            card = self._select_and_read()
        except (CardReadError, CodecError) as err:  # unreadable, or damaged or forged data
            self._card_failed(err, events)
            return
        self._failed_at = None
        if card is None:  # gone between find and select (or nothing left there on recheck)
            if self._held is not None:
                self._drop_held(events)
            return
        if card == self._held:
            return  # the same card, found again while lying there
        if self._held is not None:
            events.append(("removed", None))
        self._held = card
        self.health.count("operations")
        self.health.update(card_present=True)
        events.append(("card", card))

    def _card_failed(self, err: DriverError, events: list[tuple[str, object]]) -> None:
        """Report a card that failed once; its retries (until it is lifted) stay quiet."""
        again = self._failed_at is not None
        self._failed_at = time.monotonic()
        if again:
            log.debug("%s: card still not read: %s", self.name, err)
            return
        self.health.count("errors")
        log.info("%s: card not read: %s", self.name, err)
        events.append(("error", err))

    def _still_there(self) -> bool:
        reply = self._transact(p.SELECT_CARD, "select")
        if reply.sw3 == p.SW3_OK:
            return True
        if reply.sw3 == p.SW3_SELECT_FAILED:
            return False
        raise status_error(reply.sw3, p.SELECT_CARD.name)

    def _drop_held(self, events: list[tuple[str, object]]) -> None:
        self._held = None
        self.health.update(card_present=False)
        events.append(("removed", None))

    def _select_and_read(self) -> IdCard | None:
        selected = self._transact(p.SELECT_CARD, "select")
        if selected.sw3 == p.SW3_SELECT_FAILED:
            return None
        self._check(selected, p.SELECT_CARD)
        return self._read_card()

    def _read_card(self) -> IdCard:
        command = p.READ_TEXT_PHOTO_FINGERPRINT if self.fingerprint else p.READ_TEXT_PHOTO
        reply = self._check(self._transact(command, "read"), command)
        return decode_read_payload(reply.payload, with_fingerprint=self.fingerprint)

    def read_appended_address(self) -> str | None:
        """The address appended to the card lying on the reader (``None``: none appended)."""
        with self.exclusive():
            reply = self._transact(p.READ_ADDRESS, "read")
            if reply.sw3 == p.SW3_NO_CONTENT:
                return None
            return decode_appended_address(self._check(reply, p.READ_ADDRESS).payload)

    def _mark_online(self) -> None:
        if self.health.state != DeviceState.ONLINE:
            self.health.set(DeviceState.ONLINE)

    def _fire(self, kind: str, value: object) -> None:
        """Run one callback outside the transport lock; its failure is logged, not raised."""
        try:
            if kind == "card" and self.on_card is not None:
                self.on_card(value)  # type: ignore[arg-type]
            elif kind == "removed" and self.on_removed is not None:
                self.on_removed()
            elif kind == "error" and self.on_error is not None:
                self.on_error(value)  # type: ignore[arg-type]
        except Exception:  # a broken listener must not stop the reader
            log.exception("%s: %s callback failed", self.name, kind)

    # -- one-shot read (kiosk-diag) -----------------------------------------------------
    def read_once(self, timeout: float = 5.0) -> IdCard:
        """Read the card placed (or already lying) on the reader within ``timeout`` seconds.

        Works with or without the poll thread. Raises :class:`NoCard` when none comes,
        and the transport's typed errors when the reader is missing, silent or garbled.
        """
        deadline = time.monotonic() + timeout
        if self.running:
            with self.exclusive():
                return self._read_until(deadline, timeout)
        with self._io_lock:
            self._deadline = deadline
            try:
                self.open()
                return self._read_until(deadline, timeout)
            finally:
                self._deadline = None
                self.close()

    def _read_until(self, deadline: float, timeout: float) -> IdCard:
        self._deadline = deadline
        last: DriverError = NoCard(f"no card on the reader within {timeout:g} s")
        try:
            while True:
                found = self._transact(p.FIND_CARD, "find")
                if found.sw3 not in (p.SW3_FOUND, p.SW3_FIND_FAILED):
                    raise status_error(found.sw3, p.FIND_CARD.name)
                # A card left on the reader after a read is not found, but can be selected.
                try:
                    card = self._select_and_read()
                except CardReadError as err:
                    last, card = err, None
                if card is not None:
                    return card
                if time.monotonic() + 0.1 >= deadline:
                    raise last
                time.sleep(0.1)
        finally:
            self._deadline = None

    # -- transport ------------------------------------------------------------------
    def _check(self, reply: p.Reply, command: p.Command) -> p.Reply:
        if reply.sw3 != p.SW3_OK:
            raise status_error(reply.sw3, command.name)
        return reply

    def _transact(self, command: p.Command, timeout_key: str) -> p.Reply:
        """Send ``command`` and return its reply; corrupted frames are retried."""
        last: Exception | None = None
        for _ in range(1 + self.retries):
            try:
                reply = self._exchange(command, self.timeouts[timeout_key])
            except p.FrameError as err:
                last = err
            else:
                if reply.sw3 not in (p.SW3_CHECKSUM_ERROR, p.SW3_LENGTH_ERROR):
                    return reply
                last = status_error(reply.sw3, command.name)
            self.health.count("errors")
            log.debug("%s: %s: %s, retrying", self.name, command.name, last)
        raise BrokenLine(f"{command.name}: {last} ({1 + self.retries} tries)") from last

    def _exchange(self, command: p.Command, timeout: float) -> p.Reply:
        conn = self._conn
        if conn is None:
            raise DeviceUnavailable(f"{self.name} is not open")
        deadline = time.monotonic() + timeout
        if self._deadline is not None:
            deadline = min(deadline, self._deadline)
            timeout = max(0.0, min(timeout, self._deadline - time.monotonic()))
        discard_input(conn)
        self._parser.reset()
        write_all(conn, p.encode_command(command))
        while True:
            items = self._parser.feed(read_exactly(conn, max(1, bytes_waiting(conn))))
            for item in items:  # a reply behind a broken (noise) frame is still the reply
                if isinstance(item, p.Reply):
                    return item
            if items:
                raise items[0]
            if time.monotonic() >= deadline:
                if self._parser.in_frame:
                    raise p.LengthError(f"{command.name}: frame cut short ({self._parser.pending} bytes)")
                raise DeviceTimeout(f"no reply to {command.name} within {timeout:g} s")
