"""Scripted visits on a running kiosk app: the citizen's steps given to the session at the
boundary the screens use, the rest done by the app itself.

A tapped visit (``tests.ui.test_visit_privacy.Visit``) costs ~10 to 20 s here (each tap
draws frames of a 1080×1920 window in software); the tests that need hundreds or thousands
of visits drive most of them with :class:`ScriptedVisit` instead: the ID card is laid on the
emulated reader (the real driver reads it over its pty and the identify screen hands it to
the session), the face, form, pages and signature go to the session as the screens give
them, the screens follow each state change (the router refreshes them), and the app carries
out the busy states itself: the outbox commit in a worker, the receipt over the emulated
printer, the rating queued by the rating screen. ``frame()`` runs one Kivy frame (or, with
``draw=False``, all of a frame but the window's drawing: the clock's callbacks and
``@mainthread`` results, layouts; a frame drawn in software is the costly part).
"""

from __future__ import annotations

import time

import cv2
import numpy as np
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.lang import Builder

from drivers.camera import scenes
from kiosk.draft import Blob
from kiosk.session import State
from kiosk.simulation.citizen import photo, signature

ITEM = "zz-gljt"
TIMEOUT = 60  # generous: the machine is shared; never a measure of speed

#: How a visit ends.
COMPLETED, CANCELLED, IDLE, INELIGIBLE = "completed", "cancelled", "idle", "ineligible"
#: Where a cancelled or idle visit stops.
STOPS = (State.FACE, State.FORM, State.MATERIALS, State.SIGNATURE, State.CONFIRM)


def shared_pictures(kind: str) -> Blob:
    """The same picture for every citizen (``kiosk.simulation.citizen``): cheap."""
    return signature() if kind == "signature" else photo(kind, (640, 480) if kind == "face" else (1280, 720))


def fresh_pictures(kind: str) -> Blob:
    """A picture no one else has (the scene with noise all over it), so that its bytes
    left anywhere are this citizen's."""
    if kind == "signature":
        frame = np.full((240, 640, 3), 255, np.uint8)
    else:
        frame = scenes.make_scene(kind)((640, 480) if kind == "face" else (1280, 720))
    noise = np.random.default_rng().integers(0, 32, frame.shape, dtype=np.uint8)
    frame = cv2.subtract(frame, noise)
    ok, data = cv2.imencode(".png" if kind == "signature" else ".jpg", frame)
    assert ok
    return Blob("image/png" if kind == "signature" else "image/jpeg", bytearray(data))


def form_values(session, phone: str) -> dict:
    """What the citizen fills in on 高龄津贴申领's form (the card's address, if not prefilled)."""
    values = dict(session.form_values)
    values.update(street="大学路街道", pension_insured="否", pay_method="社会保障卡金融账户", phone=phone)
    if not values.get("address"):
        values["address"] = session.applicant.address
    return values


def take_pages(session, pictures, frame=lambda: None) -> None:
    """Every page of every material still missing, then 完成."""
    for req in session.materials_missing():
        while session.pages_taken(req.code) < req.pages:
            session.material_taken(req.code, pictures("document"))
            frame()
    session.materials_done()


class ScriptedVisit:
    """One citizen's visit to 高龄津贴申领 through the session of a mounted app."""

    def __init__(self, kiosk, draw: bool = True, pictures=shared_pictures) -> None:
        self.kiosk, self.pictures = kiosk, pictures
        self.session = kiosk.session
        self.rig = kiosk.services.devices.rig
        self.draw = draw

    @property
    def state(self) -> State:
        return self.session.state

    def frame(self) -> None:
        if self.draw:
            EventLoop.idle()
        else:  # EventLoop.idle() but the window's drawing: layouts, kv, the clock all run
            Clock.tick()
            Builder.sync()
            Clock.tick_draw()
            Builder.sync()

    def wait(self, test, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not test():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out in {self.state.value}")
            self.frame()

    def wait_state(self, *states: State) -> None:
        self.wait(lambda: self.state in states)
        self.frame()

    # -- one visit ---------------------------------------------------------------------
    def run(self, card, phone: str, end: str = COMPLETED, stop: State = State.FORM,
            at_stop=None) -> str:
        """Walk one visit ending as ``end`` (``stop``: where a cancelled or idle visit ends;
        ``at_stop()`` is called there, the citizen on the screen). Returns the receipt
        number of a completed visit."""
        k, session = self.kiosk, self.session
        item = next(i for i in k.services.catalog.items if i.code == ITEM)
        self.wait(lambda: all(k.services.devices.available(d) for d in ("idcard", "camera")))
        k.app.choose_item(item)
        session.start()
        self.frame()
        self.rig.idcard_emu.place(card)
        del card
        self.wait_state(State.FACE, State.INELIGIBLE)
        self.rig.idcard_emu.lift()
        if self.state is State.INELIGIBLE:
            assert end == INELIGIBLE, "the citizen was found ineligible"
            k.app.go_home()
            self.wait_state(State.HOME)
            return ""
        assert end != INELIGIBLE, "the citizen was found eligible"
        steps = {
            State.FACE: lambda: session.face_taken(self.pictures("face")),
            State.FORM: lambda: session.form_submitted(form_values(session, phone)),
            State.MATERIALS: lambda: take_pages(session, self.pictures, self.frame),
            State.SIGNATURE: lambda: session.signed(self.pictures("signature")),
        }
        while self.state is not State.CONFIRM:
            if end != COMPLETED and self.state is stop:
                return self._end(end, at_stop)
            steps[self.state]()
            self.frame()
        if end != COMPLETED and stop is State.CONFIRM:
            return self._end(end, at_stop)
        session.confirm(True)  # the app commits it (worker), then prints the receipt
        self.wait_state(State.RATING, State.HOME)
        txn_id = session.txn_id or ""
        if self.state is State.RATING:
            rating = k.screen
            rating.choose(5)
            rating.submit()  # the rating screen queues it in the outbox (worker)
            self.wait_state(State.HOME)
        return txn_id

    def _end(self, end: str, at_stop=None) -> str:
        k, session = self.kiosk, self.session
        if at_stop is not None:
            self.frame()
            at_stop()
        if end == CANCELLED:
            k.app.go_home()
        else:  # idle: the countdown shows, then runs out
            k.clock.advance(session.idle_timeout_s + 1)
            k.app.tick()
            assert self.state is State.IDLE_WARNING
            self.frame()
            for _ in range(10):
                k.clock.advance(60)
                k.app.tick()
                if self.state is State.HOME:
                    break
        self.wait_state(State.HOME)
        return ""
