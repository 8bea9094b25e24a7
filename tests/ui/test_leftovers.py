"""The leftovers checker itself: quiet on a clean kiosk, and it finds a secret planted in
each place it looks (a label, a plain attribute, a label's core text, Kivy's cache, a
picture, a file in GBK, a bytearray in memory, a log record)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from kivy.cache import Cache
from kivy.graphics.texture import Texture

from tests.ui.leftovers import LogCatcher, leftovers
from tests.ui.test_visit_privacy import fresh_citizen, secrets_of

_HELD: list = []  # a module-level holder, as a forgotten buffer in some module would be


@pytest.fixture
def secrets():
    card, phone = fresh_citizen()
    found = secrets_of(card, phone)
    del card
    yield found
    _HELD.clear()


def kinds(findings: list[str]) -> set[str]:
    return {finding.split(":", 1)[0] for finding in findings}


def test_a_clean_kiosk_has_no_leftovers(kiosk, secrets, tmp_path):
    assert leftovers(kiosk.app, secrets, [tmp_path]) == []


def test_a_name_on_a_label_is_found_and_never_quoted(kiosk, secrets):
    screen = kiosk.app.manager.get_screen("identify")
    screen.ids.title_label.text = "申请人：" + secrets[0]
    found = leftovers(kiosk.app, secrets, [], memory=False)
    assert any(f.startswith("widget: screen identify") and "title_label" not in f
               and ".text" in f for f in found), found
    assert not any(secrets[0] in f for f in found)  # shown as «secret 1»
    assert any("«secret 1»" in f for f in found)


def test_a_value_kept_in_a_plain_attribute_is_found(kiosk, secrets):
    screen = kiosk.app.manager.get_screen("form")
    screen.kept = {"phone": [secrets[4]]}  # like FormFieldRow.raw / initial
    found = leftovers(kiosk.app, secrets, [], memory=False)
    assert any("screen form" in f and ".kept" in f and "secret 5" in f for f in found), found


def test_the_text_a_label_rendered_is_found_after_it_is_emptied(kiosk, secrets):
    label = kiosk.app.manager.get_screen("home").ids.title_label
    label.text = secrets[1]
    label.texture_update()
    label.text = ""
    label.texture_update()
    found = leftovers(kiosk.app, secrets, [], memory=False)
    assert any("core label" in f and "secret 2" in f for f in found), found


def test_a_kivy_cache_entry_is_found(kiosk, secrets):
    Cache.register("test.leftovers")
    Cache.append("test.leftovers", ("label", secrets[0], 30), object())
    try:
        found = leftovers(kiosk.app, secrets, [], memory=False)
    finally:
        Cache.remove("test.leftovers")
    assert any(f.startswith("cache: Cache['test.leftovers'] key") for f in found), found


def test_pictures_left_on_widgets_are_found(kiosk, secrets):
    screens = kiosk.app.manager
    preview = screens.get_screen("face").ids.preview
    preview.texture = Texture.create(size=(4, 4))
    screens.get_screen("receipt").ids.card.ids.qr.data = "ZZ-EQ-0001-20261122-000042"
    pad = screens.get_screen("signature").ids.pad
    pad.strokes.append([(1.0, 1.0), (30.0, 40.0)])
    found = leftovers(kiosk.app, secrets, [], memory=False)
    assert any("camera preview" in f for f in found), found
    assert any("QrImage.texture" in f for f in found), found
    assert any("signature pad holds 1 strokes" in f for f in found), found


def test_a_file_holding_a_secret_in_gbk_is_found(kiosk, secrets, tmp_path):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "receipt.bin").write_bytes(b"\x1b@" + secrets[0].encode("gbk"))
    (tmp_path / "other.txt").write_text("nothing here", "utf-8")
    found = leftovers(kiosk.app, secrets, [tmp_path], memory=False)
    assert found == [f"file: {tmp_path / 'deep' / 'er' / 'receipt.bin'} holds secret 1"]


def test_a_bytearray_in_memory_is_found_in_the_cards_encoding(kiosk, secrets, tmp_path):
    _HELD.append(bytearray(b"\x00\x01" + secrets[2].encode("utf-16-le")))
    found = leftovers(kiosk.app, secrets, [tmp_path])
    assert any(f.startswith("memory: list holds secret 3 in 'bytearray") for f in found), found


def test_a_string_in_memory_is_found_even_when_frozen(kiosk, secrets, tmp_path):
    import gc

    _HELD.append({"住址": "郑州市" + secrets[1]})
    gc.freeze()  # as the app does after start and after each visit: hidden from gc.get_objects
    found = leftovers(kiosk.app, secrets, [tmp_path])
    assert any(f.startswith("memory: dict holds secret 2") for f in found), found


def test_a_string_in_memory_is_found(kiosk, secrets, tmp_path):
    _HELD.append({"id": "证件号码" + secrets[1]})
    found = leftovers(kiosk.app, secrets, [tmp_path])
    assert any(f.startswith("memory: dict holds secret 2") for f in found), found


def test_the_card_photo_bytes_are_found(kiosk, secrets, tmp_path):
    _HELD.append(np.frombuffer(b"WLT" + secrets[3] + b"\x00", np.uint8).tobytes())
    found = leftovers(kiosk.app, secrets, [tmp_path])
    assert any("secret 4" in f and f.startswith("memory") for f in found), found


def test_a_log_record_is_found_even_at_debug(kiosk, secrets):
    with LogCatcher() as logs:
        logging.getLogger("kiosk.somewhere").debug("read card of %s", secrets[0])
        logging.getLogger("kiosk.somewhere").info("nothing personal")
    found = leftovers(kiosk.app, secrets, [], records=logs.records, memory=False)
    assert found == ["log: kiosk.somewhere DEBUG holds secret 1: 'read card of «secret 1»'"]


def test_a_hex_dump_of_a_secret_in_a_log_is_found(kiosk, secrets):
    with LogCatcher() as logs:
        logging.getLogger("kiosk.somewhere").debug("<< %s", (b"\xaa" + secrets[1].encode("utf-16-le")).hex(" "))
    found = leftovers(kiosk.app, secrets, [], records=logs.records, memory=False)
    assert [f.split(":")[0] for f in found] == ["log"] and "secret 2" in found[0], found


def test_forget_shown_text_clears_what_emptied_labels_keep(kiosk, secrets):
    from kivy.uix.label import Label

    from kiosk.ui.widgets.cjk_text import CJKLabel
    from kiosk.ui.widgets.forget import forget_shown_text

    home = kiosk.app.manager.get_screen("home")
    plain, wrapped, kept = Label(), CJKLabel(text_size=(400, None)), Label()
    for label in (plain, wrapped, kept):
        home.ids.content.add_widget(label)
        label.text = "申请人：" + secrets[0]
        label.texture_update()
    plain.text = wrapped.text = ""  # emptied by clear_personal; ``kept`` still shows it
    Cache.register("textinput.label")
    Cache.append("textinput.label", (secrets[1], 30), object())
    before = leftovers(kiosk.app, secrets, [], memory=False)
    assert any("CJKLabel._wrapped" in f for f in before) and any("cache" in f for f in before)
    assert sum("› Label core label" in f for f in before) == 3  # plain: its lines; kept: both
    forget_shown_text(kiosk.app.manager.screens)
    found = leftovers(kiosk.app, secrets, [], memory=False)
    # what ``kept`` shows now stays; nothing of the emptied two, nothing in the cache
    assert sorted(f.split(" holds")[0] for f in found) == [
        "widget: window KioskRoot › Label core label laid-out line",
        "widget: window KioskRoot › Label core label text", "widget: window KioskRoot › Label.text"], found
    assert kept.text and kept._label.text
    for label in (plain, wrapped, kept):
        home.ids.content.remove_widget(label)
