"""The simulation keys and panel on a kiosk whose devices are emulated: F7 pulls the
printer's cable and the home status line says so (a held key acts once), the panel's
button plugs it back, F1 lays 张桂英's card on the reader and identify moves on; detached,
the keys do nothing and the panel is gone."""

from kiosk.session import State
from kiosk.simulation.controls import SimControls
from kiosk.simulation.panel import SimPanel, attach
from tests.ui.test_screen_identify import to_identify

F1, F7 = 282, 288
SCANCODE = {F1: 58, F7: 64}


def press(kiosk, key, repeats=1):
    """As SDL delivers a key: on_key_down (again for each auto-repeat), then on_key_up."""
    from kivy.core.window import Window

    handled = [Window.dispatch("on_key_down", key, SCANCODE[key], None, []) for _ in range(repeats)]
    Window.dispatch("on_key_up", key, SCANCODE[key])
    kiosk.idle(2)
    return all(handled)


def panel_of(kiosk):
    return next((w for w in kiosk.app.root.children if isinstance(w, SimPanel)), None)


def test_keys_and_panel_act_on_the_emulators(make_kiosk):
    kiosk = make_kiosk(simulate=True)
    hub = kiosk.services.devices
    kiosk.wait(lambda: all(hub.available(r) for r in ("idcard", "printer", "camera")), timeout=15)
    controls = SimControls(hub.rig)
    detach = attach(kiosk.app, controls, panel=True)
    try:
        panel = panel_of(kiosk)
        assert panel is not None and "断网" not in kiosk.texts(panel)  # no county: no network key
        assert press(kiosk, F7, repeats=3)  # held down: unplugged once, not toggled thrice
        kiosk.wait(lambda: not hub.available("printer"), timeout=15)
        kiosk.idle(2)
        assert not controls.plugged("printer") and "打印机" in kiosk.app.status_text
        assert "已拔下打印机" in kiosk.texts(panel)
        kiosk.tap(panel.buttons[F7])  # now labelled 插打印机
        kiosk.wait(lambda: hub.available("printer"), timeout=15)
        assert controls.plugged("printer") and "拔打印机" in kiosk.texts(panel)

        to_identify(kiosk, "zz-gljt")
        assert press(kiosk, F1)
        kiosk.wait(lambda: kiosk.session.state is State.FACE, timeout=15)
        assert "申请人：张*英" in kiosk.texts()
        kiosk.tap(kiosk.screen.ids.cancel_button)
    finally:
        detach()
    assert panel_of(kiosk) is None
    assert not press(kiosk, F7)  # no longer handled
    assert controls.plugged("printer")
