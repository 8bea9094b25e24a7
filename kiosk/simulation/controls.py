"""What the person running ``kiosk --simulate`` does to the kiosk's world.

:class:`SimControls` acts on the emulators and on the network, never on a driver: a card
is laid on the emulated reader and the real driver finds it by polling; the printer
emulator's status bits say the paper ran out and the driver's status query sees it; an
unplugged serial device loses its pty and its ``/dev`` link as a pulled USB cable does; a
cut network is the relay between the kiosk and the loopback county refusing connections.
The simulation panel and its keys (``kiosk.simulation.panel``) call these methods, and the
tests call them too.
"""

from __future__ import annotations

import logging
import re

from drivers.idcard import samples
from drivers.idcard.card import IdCard

log = logging.getLogger(__name__)

#: The cards ``next_card`` goes through: the guided tour's citizen first, then the samples.
CARDS: tuple[IdCard, ...] = (samples.ZHANG_GUIYING, *samples.SAMPLES.values())
#: What ``show_receipt_code`` shows before any receipt has been printed.
SAMPLE_RECEIPT_NO = "ZZ-EQ-0001-20261122-000042"
#: A receipt number (受理编号) as it is printed in the receipt's QR code.
_RECEIPT_NO = re.compile(r"^\S+-\d{8}-\d{6}$")
DEVICES = ("idcard", "printer", "scanner", "camera")


class SimControls:
    """``rig``: a started :class:`~kiosk.simulation.rig.SimulatedDevices`; ``county``: the
    :class:`~kiosk.simulation.county.SimulatedCounty` (None: no network to cut)."""

    def __init__(self, rig, county=None) -> None:
        self.rig, self.county = rig, county
        self._card_index = -1
        self._unplugged: set[str] = set()

    # -- the ID card --------------------------------------------------------------------------
    def place_card(self, card: IdCard = samples.ZHANG_GUIYING) -> IdCard:
        """Lay ``card`` on the reader (a fresh placement: the driver reads it)."""
        if card in CARDS:
            self._card_index = CARDS.index(card)
        self.rig.idcard_emu.place(card)
        log.info("simulation: card placed")
        return card

    def lift_card(self) -> None:
        self.rig.idcard_emu.lift()
        log.info("simulation: card lifted")

    def next_card(self) -> IdCard:
        """Swap the card on the reader for the next sample (the first one if none lies there)."""
        self._card_index = (self._card_index + 1) % len(CARDS)
        return self.place_card(CARDS[self._card_index])

    @property
    def card_present(self) -> bool:
        return self.rig.idcard_emu.card is not None

    # -- codes ----------------------------------------------------------------------------------
    def show_code(self, text: str) -> None:
        """Hold a code with ``text`` under the serial QR scanner: it sends it as a scan."""
        self.rig.scanner_emu.scan(text.encode("utf-8"))
        log.info("simulation: code shown to the scanner")

    def last_receipt_no(self) -> str | None:
        """The receipt number in the QR code of the last receipt the emulated printer printed."""
        numbers = [code for code in self.rig.printer_emu.printout().qr_codes if _RECEIPT_NO.match(code)]
        return numbers[-1] if numbers else None

    def show_receipt_code(self) -> str:
        """Show the scanner the last printed receipt's QR code (a sample before any); the number."""
        number = self.last_receipt_no() or SAMPLE_RECEIPT_NO
        self.show_code(number)
        return number

    # -- paper ------------------------------------------------------------------------------------
    def paper_out(self) -> None:
        self._paper("out")

    def paper_low(self) -> None:
        self._paper("low")

    def paper_in(self) -> None:
        self._paper("ok")

    def _paper(self, paper: str) -> None:
        self.rig.printer_emu.set_conditions(paper=paper)
        log.info("simulation: printer paper %s", paper)

    @property
    def paper(self) -> str:
        return self.rig.printer_emu.paper

    # -- cables -----------------------------------------------------------------------------------
    def _device(self, name: str):
        rig = self.rig
        found = {"idcard": rig.idcard_emu, "printer": rig.printer_emu, "scanner": rig.scanner_emu,
                 "camera": rig.camera_source}.get(name)
        if found is None:
            raise ValueError(f"no emulated device {name!r}; one of {', '.join(DEVICES)}")
        return found

    def unplug(self, name: str) -> None:
        """Pull the device's cable: a serial device's pty and link go away; the camera's node."""
        self._device(name).unplug()
        self._unplugged.add(name)
        log.info("simulation: %s unplugged", name)

    def replug(self, name: str) -> None:
        self._device(name).plug()
        self._unplugged.discard(name)
        log.info("simulation: %s plugged in", name)

    def plugged(self, name: str) -> bool:
        self._device(name)
        return name not in self._unplugged

    def toggle_plug(self, name: str) -> bool:
        """Unplug a plugged device, plug an unplugged one; True when it is plugged in now."""
        if self.plugged(name):
            self.unplug(name)
            return False
        self.replug(name)
        return True

    # -- the network ------------------------------------------------------------------------------
    @property
    def has_network(self) -> bool:
        """True when there is a county connection to cut (``county`` was given)."""
        return self.county is not None and getattr(self.county, "relay", None) is not None

    @property
    def network_cut(self) -> bool:
        return self.has_network and self.county.relay.is_cut

    def cut_network(self) -> None:
        self._relay().cut()

    def restore_network(self) -> None:
        self._relay().restore()

    def toggle_network(self) -> bool:
        """Cut a working network, restore a cut one; True when it works now."""
        if self.network_cut:
            self.restore_network()
            return True
        self.cut_network()
        return False

    def _relay(self):
        if not self.has_network:
            raise RuntimeError("no simulated county: there is no network to cut")
        return self.county.relay
