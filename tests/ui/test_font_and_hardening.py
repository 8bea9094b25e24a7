"""The CJK font is found (or the error names the package), the Simplified-Chinese face of a
font collection is the one drawn, and neither Escape nor the window's close button quits
the kiosk."""

import os

import pytest

from kiosk.ui import theme


def test_a_cjk_font_is_found_here():
    regular, _bold = theme.find_cjk_font()
    assert regular.lower().endswith((".ttc", ".otf", ".ttf"))


def test_no_font_raises_font_missing_naming_the_package(monkeypatch):
    monkeypatch.setattr(theme, "SEARCH_PATHS", ["/nonexistent/font.ttc"])
    monkeypatch.setattr(theme, "USE_FONTCONFIG", False)
    with pytest.raises(theme.FontMissing) as err:
        theme.register_cjk_font()
    assert "fonts-noto-cjk" in str(err.value) and "apt-get install" in str(err.value)


def test_fontconfig_answer_without_cjk_is_not_taken(monkeypatch, tmp_path):
    latin = tmp_path / "DejaVuSans.ttf"
    latin.write_bytes(b"x")
    monkeypatch.setattr(theme, "SEARCH_PATHS", [])

    class Done:
        stdout = str(latin)

    monkeypatch.setattr(theme.subprocess, "run", lambda *a, **k: Done())
    with pytest.raises(theme.FontMissing):
        theme.find_cjk_font()


NOTO_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
needs_noto = pytest.mark.skipif(not os.path.isfile(NOTO_TTC), reason="fonts-noto-cjk not installed")


def test_the_simplified_face_is_chosen_by_its_family_name():
    assert theme.simplified_index(["Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans Mono CJK SC",
                                   "Noto Sans CJK SC"]) == 3
    assert theme.simplified_index(["WenQuanYi Zen Hei", "WenQuanYi Zen Hei Mono"]) is None


@needs_noto
def test_the_sc_face_is_copied_out_of_the_collection_and_draws_the_chinese_forms(tmp_path):
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    assert theme.collection_families(NOTO_TTC)[0] == "Noto Sans CJK JP"  # what SDL would open
    face = theme.simplified_face(NOTO_TTC, tmp_path)
    assert face.startswith(str(tmp_path)) and face.endswith(".otf")
    assert ImageFont.truetype(face, 20).getname() == ("Noto Sans CJK SC", "Regular")

    def draw(font):
        img = Image.new("L", (200, 80), 0)
        ImageDraw.Draw(img).text((0, 0), "门令", font=font, fill=255)
        return img

    copied = draw(ImageFont.truetype(face, 64))
    same = ImageChops.difference(copied, draw(ImageFont.truetype(NOTO_TTC, 64, index=2)))
    japanese = ImageChops.difference(copied, draw(ImageFont.truetype(NOTO_TTC, 64, index=0)))
    assert same.getbbox() is None and japanese.getbbox() is not None
    before = os.stat(face).st_mtime_ns
    assert theme.simplified_face(NOTO_TTC, tmp_path) == face  # kept, not copied again
    assert os.stat(face).st_mtime_ns == before


@needs_noto
def test_a_copy_from_a_replaced_font_package_is_removed(tmp_path):
    stale = tmp_path / "NotoSansCJK-Regular-2-1-1.otf"
    stale.write_bytes(b"old")
    face = theme.simplified_face(NOTO_TTC, tmp_path)
    assert os.path.isfile(face) and not stale.exists()


@needs_noto
def test_the_kiosk_labels_draw_with_the_sc_face():
    from kivy.core.text import LabelBase
    from PIL import ImageFont

    regular = LabelBase._fonts[theme.FONT_NAME][0]
    assert ImageFont.truetype(regular, 20).getname()[0] == "Noto Sans CJK SC"


@needs_noto
def test_an_unwritable_cache_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(theme.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    face = theme.simplified_face(NOTO_TTC, blocked / "fonts")
    assert face.startswith(str(tmp_path / "tmp")) and os.path.isfile(face)


def test_a_broken_collection_is_used_as_it_is(tmp_path):
    broken = tmp_path / "Broken.ttc"
    broken.write_bytes(b"ttcf\0\1\0\0\0\0\0\3" + b"\0" * 5)
    assert theme.simplified_face(str(broken), tmp_path / "cache") == str(broken)
    assert theme.simplified_face("/x/Plain.otf", tmp_path / "cache") == "/x/Plain.otf"
    assert not (tmp_path / "cache").exists()


def test_escape_and_window_close_do_not_quit(kiosk, monkeypatch):
    from kivy.base import EventLoop

    from tests.ui.conftest import window

    stopped = []
    monkeypatch.setattr(kiosk.app, "stop", lambda *a: stopped.append("app"))
    monkeypatch.setattr(EventLoop, "close", lambda *a: stopped.append("loop"))
    win = window()
    assert win.dispatch("on_keyboard", 27, 41, None, []) is True
    assert win.dispatch("on_request_close") is True
    kiosk.idle(2)
    assert stopped == [] and EventLoop.status == "started"
    assert kiosk.screen_name == "home"
