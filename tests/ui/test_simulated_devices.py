"""The UI on the simulation rig (real drivers, emulated devices on ptys): health reaches
the screen, the guide and a test page come out of the emulated printer, a card placed
reaches listeners on the main thread, and an unplugged printer shows in the status line."""

import threading

from drivers.idcard import samples
from kiosk.agent.spool import CommandSpool
from kiosk.session import State


def all_online(kiosk):
    return all(kiosk.services.devices.available(r) for r in ("idcard", "printer", "scanner", "camera"))


def test_simulated_kiosk_prints_the_guide_and_the_test_page(make_kiosk):
    kiosk = make_kiosk(simulate=True)
    kiosk.wait(lambda: all_online(kiosk), timeout=15)
    rig = kiosk.services.devices.rig
    kiosk.tap(kiosk.screen.ids.tile_apply)
    kiosk.tap(kiosk.screen.item_tiles["zz-gljt"])
    kiosk.tap(kiosk.screen.ids.print_button)
    kiosk.wait(lambda: kiosk.session.state is State.GUIDE, timeout=15)
    assert kiosk.session.guide_print_ok is True
    printout = rig.printer_emu.wait_for_cuts(1, timeout=15)
    assert "一次性告知单" in printout.text and "0371-68665010" in printout.text
    kiosk.tap(kiosk.screen.ids.cancel_button)
    spool = CommandSpool(kiosk.services.runtime_dir)
    spool.enqueue("t1", "print_test_page", {})
    kiosk.services.poll_spool()
    kiosk.wait(lambda: spool.result("t1") is not None, timeout=15)
    assert spool.result("t1").ok
    assert "打印测试页" in rig.printer_emu.wait_for_cuts(2, timeout=15).text


def test_card_placed_reaches_the_main_thread_and_unplugging_shows(make_kiosk):
    kiosk = make_kiosk(simulate=True)
    kiosk.wait(lambda: all_online(kiosk), timeout=15)
    rig, hub = kiosk.services.devices.rig, kiosk.services.devices
    seen = []
    hub.bind(on_card=lambda _hub, card: seen.append((threading.current_thread().name, card.name)))
    rig.idcard_emu.place(samples.LI_XIAOMING)
    kiosk.wait(lambda: seen, timeout=15)
    assert seen[0] == (threading.main_thread().name, samples.LI_XIAOMING.name)
    rig.printer_emu.unplug()
    kiosk.wait(lambda: not hub.available("printer"), timeout=15)
    kiosk.idle(2)
    assert "打印机" in kiosk.app.status_text
