"""The simulation controls act on the emulators and the network, and the real drivers (and
the real agent and client) see what they did: a card placed, lifted and swapped, a code
shown, the paper running out, a cable pulled, the network cut."""

import queue
import time

import pytest

from drivers.health import DeviceState
from drivers.idcard import samples
from drivers.printer.document import Document
from kiosk.catalog.loader import load_shipped
from kiosk.client import ClientError, CountyClient
from kiosk.session import Session
from kiosk.signing import DeviceKey
from kiosk.simulation.citizen import walk_visit
from kiosk.simulation.controls import CARDS, SAMPLE_RECEIPT_NO, SimControls
from kiosk.simulation.county import SimulatedCounty
from kiosk.simulation.rig import DeviceEvents, SimulatedDevices
from kiosk.ui.services import simulation_config
from kiosk.wiring import open_store
from tests.waiting import wait_for


class Events:
    def __init__(self):
        self.queue = queue.Queue()
        put = self.queue.put
        self.callbacks = DeviceEvents(on_card=lambda c: put(("card", c)),
                                      on_card_removed=lambda: put(("removed", None)),
                                      on_code=lambda c: put(("code", c)))

    def next(self, kind, timeout=10.0):
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                got, value = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if got == kind:
                return value
        raise AssertionError(f"no {kind} event")


@pytest.fixture(scope="module")
def sim():
    events = Events()
    rig = SimulatedDevices(events.callbacks).start()
    assert wait_for(lambda: all(d.health.state is DeviceState.ONLINE for d in rig.drivers), timeout=15)
    yield SimControls(rig), rig, events
    rig.stop()


def state_of(driver):
    return driver.health.snapshot().state


def test_place_lift_and_swap_cards(sim):
    controls, rig, events = sim
    controls.place_card()
    assert events.next("card").id_number == samples.ZHANG_GUIYING.id_number
    assert controls.card_present
    controls.lift_card()
    events.next("removed")
    assert not controls.card_present and rig.idcard.held is None
    assert controls.next_card() == CARDS[1]  # after 张桂英 comes the next sample
    assert events.next("card").id_number == CARDS[1].id_number
    assert controls.next_card() == CARDS[2]  # a swap: the reader sees one card go, the next come
    events.next("removed")
    assert events.next("card").id_number == CARDS[2].id_number
    controls.lift_card()
    events.next("removed")


def test_show_code_reaches_the_scanner_driver(sim):
    controls, rig, events = sim
    controls.show_code("回执 ZZ-SIM-0001-20261123-000003")
    code = events.next("code")
    assert code.text == "回执 ZZ-SIM-0001-20261123-000003" and code.source == "serial"


def test_show_receipt_code_shows_the_last_printed_receipt_number(sim):
    controls, rig, events = sim
    rig.printer_emu.clear()
    assert controls.show_receipt_code() == SAMPLE_RECEIPT_NO  # nothing printed yet: the sample
    assert events.next("code").text == SAMPLE_RECEIPT_NO
    for number in ("ZZ-SIM-0001-20261123-000001", "ZZ-SIM-0001-20261123-000002"):
        doc = Document()
        doc.text("受理回执")
        doc.qr(number)
        rig.printer.print_document(doc)
    rig.printer_emu.wait_for_cuts(2)
    assert controls.show_receipt_code() == "ZZ-SIM-0001-20261123-000002"
    assert events.next("code").text == "ZZ-SIM-0001-20261123-000002"


def test_paper_low_out_and_in_as_the_printer_driver_reports(sim):
    controls, rig, _ = sim
    controls.paper_low()
    assert wait_for(lambda: rig.printer.health.snapshot().detail.get("paper") == "low", timeout=5)
    assert state_of(rig.printer) is DeviceState.ONLINE
    controls.paper_out()
    assert wait_for(lambda: state_of(rig.printer) is DeviceState.USER_ERROR, timeout=5)
    assert rig.printer.health.snapshot().detail["paper"] == "out"
    controls.paper_in()
    assert wait_for(lambda: state_of(rig.printer) is DeviceState.ONLINE, timeout=5)
    assert controls.paper == "ok"


@pytest.mark.parametrize("name", ["printer", "idcard", "scanner", "camera"])
def test_unplug_and_replug_each_device(sim, name):
    controls, rig, _ = sim
    driver = next(d for d in rig.drivers if d.name == name)
    assert controls.toggle_plug(name) is False
    assert not controls.plugged(name)
    assert wait_for(lambda: state_of(driver) in (DeviceState.NO_DEVICE, DeviceState.OFFLINE), timeout=10)
    if name != "camera":
        assert not rig.folder.joinpath(name).exists()  # the /dev link is gone, as with a pulled cable
    assert controls.toggle_plug(name) is True
    assert wait_for(lambda: state_of(driver) is DeviceState.ONLINE, timeout=10)


def test_unknown_device_is_refused(sim):
    with pytest.raises(ValueError):
        sim[0].unplug("fax")


def test_no_county_means_no_network_to_cut(sim):
    controls = sim[0]
    assert not controls.has_network and not controls.network_cut
    with pytest.raises(RuntimeError):
        controls.cut_network()


def test_cut_network_stops_the_client_and_the_agent_until_restored(tmp_path):
    county = SimulatedCounty(tmp_path)
    config = county.start(lambda url: simulation_config(tmp_path, url))
    controls = SimControls(rig=None, county=county)
    try:
        assert str(config.backend.url).rstrip("/") == county.relay.url
        key = DeviceKey.load_or_create(config.path(config.paths.device_key))
        client = CountyClient.from_config(config, key)
        assert client.get_catalog(None).payload is not None
        controls.cut_network()
        assert controls.network_cut
        started = time.monotonic()
        with pytest.raises(ClientError):
            client.get_catalog(None)
        assert time.monotonic() - started < 2  # refused at once, no hang
        with open_store(config) as store:
            def submit(draft):
                done = store.outbox.submit(draft, config.identity.device_id, config.now())
                return done.txn_id, done.accepted_at, False

            txn_id = walk_visit(Session(settings=config.session), load_shipped().get("zz-fwzlba"), submit)
            assert wait_for(lambda: store.outbox.record(txn_id).attempts >= 1, timeout=15)
            assert store.outbox.record(txn_id).state == "pending"  # the agent tried and failed
            controls.restore_network()
            assert not controls.network_cut
            assert wait_for(lambda: store.outbox.record(txn_id).state == "delivered", timeout=30, interval=0.2)
        assert client.get_catalog(None).payload is not None
        client.close()
    finally:
        county.stop()
