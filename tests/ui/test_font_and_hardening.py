"""The CJK font is found (or the error names the package), and neither Escape nor the
window's close button quits the kiosk."""

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
