"""设备状态: readiness at a glance, and printed.

Live, from the device hub: each device's state, detail and counters. Then the readiness
report (:func:`kiosk.readiness.gather`, in a worker thread: config, keys, devices at their
stable names, UI, backend reachable and enrollment accepted, clock and skew, disk, fonts,
catalog version, outbox pending and dead letters, last beacon), each check with √ or ×, in
Chinese from :func:`kiosk.readiness_paper.describe_zh` (in English its operator detail).
打印就绪报告 prints the same report (:func:`kiosk.readiness_paper.readiness_report`) on the
receipt printer, the identity card at its top.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.service.actions import ActionFailed
from kiosk.ui.screens.service_base import ServiceScreen, service_line
from kiosk.ui.strings import has, language, t
from kiosk.ui.widgets.buttons import BigButton

#: A device's state → the key of its words.
STATE_KEYS = {"online": "svc_state_online", "busy": "svc_state_busy", "offline": "svc_state_offline",
              "no_device": "svc_state_no_device", "hardware_error": "svc_state_hardware_error",
              "user_error": "svc_state_user_error"}


def gather_report(config: Any) -> Any:
    from kiosk.readiness import gather

    return gather(config, timeout_s=3.0)


def device_lines(reports) -> list[tuple[bool, str]]:
    """(ok, text) for each device the hub drives: name, state, detail, counters."""
    lines = []
    for report in reports:
        name = t(f"dev_{report.device}") if has(f"dev_{report.device}") else report.device
        state = report.state.value
        detail = ", ".join(f"{k}={v}" for k, v in report.detail.items() if v not in (None, [], ""))
        counters = ", ".join(f"{t(f'counter.{k}') if has(f'counter.{k}') else k} {v}"
                             for k, v in report.counters.items())
        text = t("svc_device_line", name=name, state=t(STATE_KEYS[state]) if state in STATE_KEYS else state)
        lines.append((report.available, "  ".join(p for p in (text, detail, counters) if p)))
    return lines


def check_line(check: Any) -> str:
    if language() == "zh":
        from kiosk.readiness_paper import describe_zh

        label, words = describe_zh(check)
        return t("svc_check_line", label=label, words=words)
    return t("svc_check_line", label=check.name, words=check.detail)


class ServiceReadinessScreen(ServiceScreen):
    summary = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, **kwargs):
        self.report = None
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget):
        super().on_kv_post(base_widget)
        self.again_button = self.keyed(BigButton(kind="secondary"), "svc_ready_again")
        self.again_button.bind(on_release=lambda *_: self.check())
        self.add_action(self.again_button)
        self.print_button = self.keyed(BigButton(), "svc_ready_print")
        self.print_button.bind(on_release=lambda *_: self.print_report())
        self.add_action(self.print_button)

    def on_enter(self, *args):
        super().on_enter(*args)
        self.check()

    def check(self) -> None:
        if self.busy:
            return
        self.busy, self.summary, self.report = True, t("svc_ready_checking"), None
        self.show_lines()
        self.services.in_worker(lambda: gather_report(self.services.config), self._gathered, "readiness")

    def _gathered(self, ok: bool, value: Any) -> None:
        self.busy = False
        if not ok:
            self.summary = t("svc_ready_failed", why=type(value).__name__)
            return
        self.report = value
        failed = len(value.failed)
        self.summary = t("svc_ready_yes") if not failed else t("svc_ready_no", n=failed)
        self.show_lines()

    def show_lines(self) -> None:
        box = self.ids.lines
        box.clear_widgets()
        box.add_widget(service_line(t("svc_ready_live")))
        for ok, text in device_lines(self.services.devices.reports()):
            box.add_widget(service_line(text, ok))
        if self.report is not None:
            box.add_widget(service_line(t("svc_ready_checks")))
            for check in self.report.checks:
                box.add_widget(service_line(check_line(check), check.ok))

    def print_report(self) -> None:
        if self.report is None:
            self.summary = t("svc_ready_wait")
            return
        from kiosk.readiness_paper import readiness_report

        self.services.print_document(readiness_report(self.report), self._printed)

    def _printed(self, ok: bool, value: Any) -> None:
        try:
            self.actions.record("readiness_report_printed", ok, **({} if ok else {"error": type(value).__name__}))
        except ActionFailed as err:
            self.summary = self.say_failed(err)
            return
        self.summary = t("svc_printed") if ok else t("svc_not_printed")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
