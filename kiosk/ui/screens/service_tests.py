"""设备测试: try each device while standing at the machine.

While the screen is shown it listens to the card reader and the scanner: a card placed
shows its holder masked (``张*三``, ``110105********002X``: drivers.privacy) and a code
shows its first characters; both are emptied when the screen is left. 摄像头预览 starts and
stops the live picture; 打印测试页 prints the test page (the one the ``print_test_page``
command prints); 打印就绪报告 gathers the readiness report and prints it. Each print is
written to the audit log with its outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from drivers.privacy import mask_name, mask_number
from kiosk.service.actions import ActionFailed
from kiosk.ui.screens.service_base import ServiceScreen
from kiosk.ui.screens.service_readiness import gather_report
from kiosk.ui.strings import t
from kiosk.ui.widgets import camera_preview  # noqa: F401  (CameraPreview, used in the .kv)

MAX_CODE_CHARS = 40


class ServiceTestsScreen(ServiceScreen):
    card_text = StringProperty("")
    code_text = StringProperty("")
    print_text = StringProperty("")
    camera_on = BooleanProperty(False)

    def on_enter(self, *args):
        super().on_enter(*args)
        self.card_text, self.code_text, self.print_text = t("svc_test_card_wait"), t("svc_test_scan_wait"), ""
        self.services.devices.bind(on_card=self._on_card, on_card_error=self._on_card_error, on_code=self._on_code)

    def on_leave(self, *args):
        super().on_leave(*args)
        self.services.devices.unbind(on_card=self._on_card, on_card_error=self._on_card_error,
                                     on_code=self._on_code)
        self.stop_camera()
        self.clear_personal()

    def clear_personal(self) -> None:
        self.card_text = self.code_text = ""

    # -- card and code -------------------------------------------------------------------
    def _on_card(self, _hub, card: Any) -> None:
        get = (lambda k: card.get(k)) if isinstance(card, dict) else (lambda k: getattr(card, k, None))
        self.card_text = t("svc_test_card_read", name=mask_name(str(get("name") or "")),
                           number=mask_number(str(get("id_number") or "")))
        self._record("test_card_read", True)

    def _on_card_error(self, _hub, err: Any) -> None:
        self.card_text = t("svc_test_card_failed", why=type(err).__name__)
        self._record("test_card_read", False, error=type(err).__name__)

    def _on_code(self, _hub, code: Any) -> None:
        text = str(getattr(code, "text", code) or "")
        shown = text if len(text) <= MAX_CODE_CHARS else text[:MAX_CODE_CHARS] + "\u2026"
        self.code_text = t("svc_test_scan_read", text=shown, n=len(text))
        self._record("test_code_scanned", True, chars=len(text))

    # -- camera --------------------------------------------------------------------------
    def toggle_camera(self) -> None:
        if self.camera_on:
            self.stop_camera()
            return
        camera = self.services.devices.driver("camera")
        if not hasattr(camera, "latest_frame"):  # none configured
            self.print_text = t("svc_test_camera_none")
            self._record("test_camera", False, error="no_camera")
            return
        preview = self.ids.preview
        preview.source = camera
        preview.placeholder_text = t("svc_test_camera_none")  # shown while the camera is away
        preview.start()
        self.camera_on = True
        self._record("test_camera", True)

    def stop_camera(self) -> None:
        self.ids.preview.stop()
        self.ids.preview.source = None
        self.camera_on = False

    # -- printing ------------------------------------------------------------------------
    def print_test_page(self) -> None:
        self.print_text = t("svc_printing")
        self.services.print_document(self.services.test_page(),
                                     lambda ok, value: self._printed("test_page_printed", ok, value))

    def print_readiness(self) -> None:
        self.print_text = t("svc_ready_checking")
        from kiosk.readiness_paper import readiness_report

        def gathered(ok: bool, value: Any) -> None:
            if not ok:
                self._printed("readiness_report_printed", False, value)
                return
            self.print_text = t("svc_printing")
            self.services.print_document(readiness_report(value), lambda ok_, v: self._printed(
                "readiness_report_printed", ok_, v))

        self.services.in_worker(lambda: gather_report(self.services.config), gathered, "readiness")

    def _printed(self, action: str, ok: bool, value: Any) -> None:
        if self._record(action, ok, **({} if ok else {"error": type(value).__name__})):
            self.print_text = t("svc_printed") if ok else t("svc_not_printed")

    def _record(self, action: str, ok: bool, **details: Any) -> bool:
        actions = self.actions
        if actions is None:
            return False
        try:
            actions.record(action, ok, **details)
        except ActionFailed as err:
            self.print_text = self.say_failed(err)
            return False
        return True


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
