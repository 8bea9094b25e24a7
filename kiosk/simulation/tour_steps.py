"""The guided tour's steps, in order: each touches the real widgets of one screen, checks that
the kiosk did what a citizen expects, and leaves a picture named after the step.

The visit is 高龄津贴申领 (``zz-gljt``) by ``samples.ZHANG_GUIYING`` (84, of 二七区), whose
card is laid on the ID card emulator; the camera emulator shows a face, then papers. The
receipt is printed by the printer emulator (held for a moment, as a busy printer would be,
while its screen is photographed); its bytes are saved as ``receipt.bin``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from drivers.idcard import samples
from kiosk.session import State
from kiosk.simulation.touch import NotShown
from kiosk.simulation.tour import StepFailed, Tour

ITEM = "zz-gljt"
CERTIFICATE_ITEM = "zz-ylqyd"
CITIZEN = samples.ZHANG_GUIYING
STREET = "大学路街道"  # where ZHANG_GUIYING lives
PHONE = "13800138000"
#: 所在社区（村）, typed on the pinyin keyboard: the letters, and the word picked from the bar.
COMMUNITY_PINYIN, COMMUNITY = "daxuelu", "大学路"
#: The face too small in the picture at first, and what the face screen says to that.
FAR = ((0.5, 0.45, 0.15),)
FAR_GUIDANCE = "请靠近一点"
ROLES = ("idcard", "printer", "scanner", "camera")
#: The stroke signed on the pad (fractions of its width and height): a run of cursive loops.
SIGNATURE = [(0.12 + 0.7 * t + 0.04 * math.cos(2 * math.pi * 5 * t), 0.5 + 0.2 * math.sin(2 * math.pi * 5 * t))
             for t in (i / 100 for i in range(101))]


def check(ok: bool, what: str) -> None:
    if not ok:
        raise StepFailed(what)


def _tap_item(tour: Tour, code: str) -> None:
    """Tap ``code``'s tile in the catalog until its guide opens (a device that drops out for a
    moment greys the tile and rebuilds the list: look again and tap again)."""
    catalog = tour.wait_screen("catalog")
    item = next((i for i in tour.services.catalog.items if i.code == code), None)
    check(item is not None, f"{code} is not in the catalog")
    for _attempt in range(5):
        tour.wait(lambda: tour.services.servable(item) and code in catalog.item_tiles
                  and not catalog.item_tiles[code].disabled,
                  lambda: f"{code} to be servable (devices down: {sorted(tour.services.devices.down())})", 30)
        tile = catalog.item_tiles[code]
        try:
            tour.ui.reveal(tile)
            tour.ui.tap(tile)
            tour.ui.wait(lambda: tour.session.state is State.GUIDE, timeout=5)
            return
        except AssertionError:  # NotShown (the list was rebuilt), or the tap did not take
            if tour.session.state is State.GUIDE:
                return
    raise StepFailed(f"tapping {code} did not open its guide")


def _place_card(tour: Tour) -> None:
    """Lay the citizen's card on the reader, lifting it first once the reader has seen it
    go (a reader reports a card lying there once, not again for each visit)."""
    emulator, reader = tour.rig.idcard_emu, tour.rig.idcard
    emulator.lift()
    tour.wait(lambda: not reader.health.snapshot().detail.get("card_present"),
              "the reader to see the card lifted")
    emulator.place(CITIZEN)


def _face(tour: Tour) -> None:
    """The face screen until the photo is taken (by 拍照, or by holding still)."""
    screen = tour.app.manager.get_screen("face")
    if tour.session.state is State.FACE:
        tour.wait(lambda: tour.session.state is not State.FACE or not screen.take_button.disabled,
                  lambda: f"the face check to pass (guidance: {screen.ids.preview.guidance!r})", 40)
    if tour.session.state is State.FACE and not screen.taking:
        try:
            tour.ui.tap(screen.take_button)
        except NotShown:
            pass  # held still long enough: the photo was taken by itself
    tour.wait(lambda: tour.session.state is not State.FACE, lambda: f"the face photo ({screen.message!r})", 30)


# -- the steps -----------------------------------------------------------------------------------
def home(tour: Tour) -> None:
    devices = tour.services.devices
    tour.wait(lambda: all(devices.available(r) for r in ROLES), "every emulated device online", 30)
    tour.wait(lambda: tour.services.network == "ok", "the county backend reachable", 30)
    screen = tour.wait_screen("home")
    tour.wait(lambda: not tour.app.status_warn, "the status line to say all is well")
    check(screen.ids.tile_apply is not None, "no 办事 tile")
    tour.shot("01-home")


def home_english(tour: Tour) -> None:
    from kiosk.ui.strings import LANG

    screen = tour.ui.screen
    tour.ui.tap(screen.ids.language_button)
    check(LANG.lang == "en", "the language button did not switch to English")
    check(screen.ids.language_button.text == "中文", "the button does not offer 中文 back")
    tour.shot("01b-home-english")
    tour.ui.tap(screen.ids.language_button)
    check(LANG.lang == "zh", "the language button did not switch back to Chinese")


def home_elder(tour: Tour) -> None:
    screen = tour.ui.screen
    tour.ui.tap(screen.ids.elder_button)
    check(tour.session.elder_mode and tour.app.theme.scale > 1, "长辈模式 did not switch on")
    tour.shot("02-home-elder")
    tour.ui.tap(screen.ids.elder_button)
    check(not tour.session.elder_mode, "长辈模式 did not switch off")


def catalog(tour: Tour) -> None:
    tour.ui.tap(tour.ui.screen.ids.tile_apply)
    tour.wait_screen("catalog")
    tour.shot("03-catalog")


def guide(tour: Tour) -> None:
    _tap_item(tour, ITEM)
    screen = tour.wait_screen("guide")
    check(tour.session.item is not None and tour.session.item.code == ITEM, "the guide is not for 高龄津贴")
    tour.shot("04-guide")
    tour.ui.tap(screen.ids.start_button)


def identify(tour: Tour) -> None:
    tour.wait_screen("identify")
    tour.rig.camera_source.set_scene("face", placements=FAR)  # she stands back from the camera
    tour.shot("05-identify")
    _place_card(tour)
    tour.wait(lambda: tour.session.state is not State.IDENTIFY, "the card to be read", 60)
    check(tour.session.state is State.FACE,
          f"the card did not lead to the face photo (session {tour.session.state.value})")


def face(tour: Tour) -> None:
    screen = tour.wait_screen("face")
    preview = screen.ids.preview
    tour.wait(lambda: preview.texture is not None and preview.guidance == FAR_GUIDANCE,
              lambda: f"the preview to say {FAR_GUIDANCE} (guidance: {preview.guidance!r})", 40)
    tour.shot("06-face")
    tour.rig.camera_source.set_scene("face")  # she steps closer: the photo is taken
    _face(tour)
    tour.rig.camera_source.set_scene("document")  # the papers come next


def form(tour: Tour) -> None:
    screen = tour.wait_screen("form")
    rows = screen.rows
    check(rows["address"].raw == CITIZEN.address, "the address was not prefilled from the card")
    for name, value in (("street", STREET), ("pension_insured", "否"), ("pay_method", "社会保障卡金融账户")):
        chip = rows[name].chips[value]
        tour.ui.reveal(chip)
        tour.ui.tap(chip)
        check(rows[name].raw == value, f"{rows[name].field.label}: {value} was not chosen")
    phone = rows["phone"]
    tour.ui.reveal(phone.value_box)
    tour.ui.tap(phone.value_box)
    keypad = screen.ids.keypad
    for digit in PHONE:
        tour.ui.tap(keypad.keys[digit])
    check(phone.raw == PHONE, "the phone number was not typed")
    tour.ui.reveal(rows["street"])
    tour.shot("07-form")


def form_pinyin(tour: Tour) -> None:
    """所在社区（村） (optional, text) typed on the pinyin keyboard: the candidates shown."""
    screen = tour.wait_screen("form")
    row = screen.rows["community"]
    tour.ui.reveal(row.value_box)
    tour.ui.tap(row.value_box)
    board = screen.pinyin
    tour.wait(lambda: board.parent is not None and screen.active is row, "the pinyin keyboard to open")
    tour.ui.idle(2)
    for letter in COMMUNITY_PINYIN:
        tour.ui.tap(board.keys[letter])
    tour.wait(lambda: any(b.text == COMMUNITY for b in board.candidate_buttons),
              lambda: f"{COMMUNITY} among the candidates ({board.status!r})", 15)
    tour.ui.reveal(row.value_box)
    tour.shot("07b-form-pinyin")
    tour.ui.tap(next(b for b in board.candidate_buttons if b.text == COMMUNITY))
    check(row.raw == COMMUNITY, f"picking the candidate did not type {COMMUNITY}")
    tour.ui.tap(board.keys["done"])
    check(board.parent is None and not row.error, "完成 did not close the keyboard")
    tour.ui.tap(screen.ids.next_button)
    tour.wait(lambda: tour.session.state is State.MATERIALS,
              lambda: f"the form to be accepted ({screen.message or 'no message'})")


def materials(tour: Tour) -> None:
    screen = tour.wait_screen("materials")
    for code in ("hukou", "hukou", "bank-card"):
        taken = tour.session.pages_taken(code)
        for _attempt in range(3):
            check(screen.current == code, f"the screen asks for {screen.current}, not {code}")
            tour.ui.tap(screen.ids.take_button)
            tour.wait(lambda: not screen.busy, "the camera's still")
            if tour.session.pages_taken(code) > taken:
                break
        check(tour.session.pages_taken(code) == taken + 1, f"{code}: the page was refused ({screen.message})")
    check(screen.current == "agent-id", "the optional 代办人身份证 is not next")
    tour.shot("08-materials")
    tour.ui.tap(screen.ids.skip_button)  # the citizen came herself: no agent
    tour.ui.tap(screen.ids.done_button)
    tour.wait(lambda: tour.session.state is State.SIGNATURE, lambda: f"the materials to be done ({screen.message})")


def signature(tour: Tour) -> None:
    screen = tour.wait_screen("signature")
    pad = screen.ids.pad
    tour.ui.drag(pad, SIGNATURE)
    check(pad.has_enough_ink, "the stroke did not reach the pad")
    tour.shot("09-signature")
    tour.ui.tap(screen.ids.confirm_button)
    tour.wait(lambda: tour.session.state is State.CONFIRM, lambda: f"the signature to be taken ({screen.message})")


def confirm(tour: Tour) -> None:
    screen = tour.wait_screen("confirm")
    agree = screen.ids.agree
    tour.ui.reveal(agree)
    tour.ui.tap(agree)
    check(screen.agreed and not screen.ids.submit_button.disabled, "the 告知承诺 did not tick")
    tour.shot("10-confirm")
    printer = tour.services.devices.driver("printer")
    tour.hold = printer.exclusive()  # busy with another job: the receipt waits for its picture
    tour.hold.__enter__()
    tour.receipt_start = len(tour.rig.printer_emu.print_data)
    tour.cuts_before = bytes(tour.rig.printer_emu.print_data).count(b"\x1dV")
    try:
        tour.ui.tap(screen.ids.submit_button)
        tour.wait(lambda: tour.session.state is State.RECEIPT, "the transaction to be saved")
    except BaseException:
        tour.hold.__exit__(None, None, None)
        raise


def receipt(tour: Tour) -> None:
    try:
        screen = tour.wait_screen("receipt")
        card = screen.ids.card
        tour.wait(lambda: bool(card.number), "the receipt number on screen")
        tour.receipt_number, tour.txn_id = card.number, tour.session.txn_id
        check(tour.receipt_number == tour.txn_id, "the screen shows another number than the session's")
        tour.shot("11-receipt")
    finally:
        tour.hold.__exit__(None, None, None)
    emulator = tour.rig.printer_emu
    tour.wait(lambda: bytes(emulator.print_data).count(b"\x1dV") > tour.cuts_before, "the receipt's cut", 60)
    tour.wait(lambda: tour.session.state is State.RATING, "the receipt to be reported printed", 60)
    tour.receipt_bytes = bytes(emulator.print_data[tour.receipt_start:])
    (tour.out / "receipt.bin").write_bytes(tour.receipt_bytes)
    check(tour.receipt_number.encode("ascii") in tour.receipt_bytes, "the receipt does not carry its number")


def rating(tour: Tour) -> None:
    screen = tour.wait_screen("rating")
    tour.ui.tap(screen.level_buttons[5])
    check(screen.score == 5, "非常满意 was not chosen")
    tour.shot("12-rating")
    tour.ui.tap(screen.ids.submit_button)
    tour.wait(lambda: tour.session.state is State.HOME, "the rating to end the visit")


def delivered(tour: Tour) -> None:
    tour.wait(lambda: tour.in_backend(tour.txn_id), f"{tour.txn_id} at the county", 60)


def progress(tour: Tour) -> None:
    tour.wait_screen("home")
    tour.ui.tap(tour.ui.screen.ids.tile_progress)
    screen = tour.wait_screen("progress")
    prefix, day, seq = tour.txn_id.rsplit("-", 2)
    check(screen.prefix == prefix, f"the number's device part is {screen.prefix}, not {prefix}")
    for digit in day + seq:
        tour.ui.tap(screen.keypad.keys[digit])
    check(screen.number == tour.txn_id, f"typed {screen.number}, not {tour.txn_id}")
    tour.shot("13-progress")
    tour.ui.tap(screen.ids.query_button)


def progress_result(tour: Tour) -> None:
    from kiosk.ui.screens.progress import progress_answer

    tour.wait(lambda: tour.session.state is State.PROGRESS_RESULT, "the county's answer", 30)
    screen = tour.wait_screen("progress_result")
    answer = progress_answer(tour.services)
    check(answer is not None and not answer.failed, "the county could not be asked")
    check([c.txn_id for c in answer.cases] == [tour.txn_id], "the county did not find the case")
    tour.shot("14-progress-result")
    tour.ui.tap(screen.ids.done_button)
    tour.wait(lambda: tour.session.state is State.HOME, "home after the result")


def certificate(tour: Tour) -> None:
    tour.wait_screen("home")
    tour.rig.camera_source.set_scene("face")
    tour.ui.tap(tour.ui.screen.ids.tile_certificate)
    _tap_item(tour, CERTIFICATE_ITEM)
    tour.ui.tap(tour.wait_screen("guide").ids.start_button)
    tour.wait_screen("identify")
    emulator = tour.rig.printer_emu
    cuts = bytes(emulator.print_data).count(b"\x1dV")
    _place_card(tour)
    tour.wait(lambda: tour.session.state is not State.IDENTIFY, "the card to be read", 60)
    _face(tour)
    screen = tour.wait_screen("working")
    tour.wait(lambda: not screen.busy, "the certificate to be fetched and printed", 60)
    check(bytes(emulator.print_data).count(b"\x1dV") > cuts, "no certificate came out of the printer")
    check("已打印" in screen.message, f"the certificate was not printed: {screen.message}")
    tour.shot("15-certificate")
    tour.wait(lambda: tour.session.state is State.HOME, "home after the certificate", 30)


def out_of_service(tour: Tour) -> None:
    from kiosk.agent.spool import CommandSpool

    spool = CommandSpool(tour.services.runtime_dir)
    spool.enqueue("tour-maintenance-on", "enter_maintenance", {})
    tour.wait_screen("out_of_service")
    tour.shot("16-out-of-service")
    spool.enqueue("tour-maintenance-off", "leave_maintenance", {})
    tour.wait_screen("home")


def idle_countdown(tour: Tour) -> None:
    tour.ui.tap(tour.ui.screen.ids.tile_apply)
    _tap_item(tour, ITEM)
    tour.wait_screen("guide")
    tour.clock.advance(tour.session.idle_timeout_s)  # the citizen walked away
    tour.wait(lambda: tour.session.state is State.IDLE_WARNING, "the idle warning", 15)
    overlay = tour.app.overlay
    tour.wait(lambda: overlay.shown and overlay.seconds > 0, "the countdown")
    tour.shot("17-idle-countdown")
    tour.clock.advance(tour.services.config.session.idle_countdown_s)
    tour.wait(lambda: tour.session.state is State.HOME, "the visit to be wiped", 15)
    check(tour.session.item is None and tour.ui.screen_name == "home", "the visit was not wiped")


def reached_county(tour: Tour) -> None:
    check(tour.in_backend(tour.txn_id), f"{tour.txn_id} is not at the county")


STEPS: list[tuple[str, Callable[[Tour], None]]] = [
    ("01-home", home), ("01b-home-english", home_english), ("02-home-elder", home_elder), ("03-catalog", catalog), ("04-guide", guide),
    ("05-identify", identify), ("06-face", face), ("07-form", form),
    ("07b-form-pinyin", form_pinyin), ("08-materials", materials),
    ("09-signature", signature), ("10-confirm", confirm), ("11-receipt", receipt),
    ("12-rating", rating), ("delivered", delivered), ("13-progress", progress),
    ("14-progress-result", progress_result), ("15-certificate", certificate),
    ("16-out-of-service", out_of_service), ("17-idle-countdown", idle_countdown),
    ("reached-county", reached_county),
]
