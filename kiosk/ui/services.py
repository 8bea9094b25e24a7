"""``Services``: the one place the UI reaches the rest of the kiosk.

Holds the config, the catalog, the store, the session, the :class:`DeviceHub`, the clocks
and the identity card in force. Outside work (printing, the outbox commit, county calls)
runs in worker threads (:meth:`Services.in_worker`); results come back on Kivy's main
thread and are reported to the session. The UI never blocks on a device or the network.

It also writes the heartbeat and device-health files for the agent and carries out the
spooled commands (``enter_maintenance``, ``leave_maintenance``, ``print_test_page``,
``restart_app``). Busy-state actions are performed by :meth:`perform`; a screen module that
adds one registers its handler in :data:`ACTION_HANDLERS`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kivy.clock import mainthread
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, StringProperty

from drivers.printer.document import Document
from kiosk.agent.heartbeat import write_device_health, write_heartbeat
from kiosk.agent.identity_override import effective_identity
from kiosk.agent.spool import CommandSpool, SpoolCommand
from kiosk.config import Config
from kiosk.i18n import tr
from kiosk.identity import Identity
from kiosk.receipts import guide_notice, identity_foot
from kiosk.session import PrintGuide, Session, State
from kiosk.ui.devices import DeviceHub

log = logging.getLogger(__name__)

#: In the data folder while the machine is in maintenance, so that it stays so after a restart.
MAINTENANCE_FLAG = "maintenance.on"

#: Action type → ``handler(services, action)``; the handler reports to the session itself.
ACTION_HANDLERS: dict[type, Callable[["Services", Any], None]] = {}


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


class Services(EventDispatcher):
    maintenance = BooleanProperty(False)
    #: ``ok``, ``down`` or ``unknown`` (checked in a worker thread every 30 s).
    network = StringProperty("unknown")
    __events__ = ("on_restart_requested",)

    def __init__(self, config: Config, devices: DeviceHub, *, catalog: Any, store: Any = None,
                 session: Session | None = None, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = _now) -> None:
        super().__init__()
        self.config, self.devices, self.store = config, devices, store
        self._catalog = catalog
        self.monotonic, self.wall = monotonic, wall
        self.session = session or Session(settings=config.session, monotonic=monotonic,
                                          wall=lambda: wall().astimezone())
        self.runtime_dir = config.path(config.paths.runtime_dir)
        self.spool = CommandSpool(self.runtime_dir)
        self._ui_state: tuple[str, datetime] | None = None
        # Maintenance outlives a restart or a reboot (staff restart mid-repair): a flag file.
        self._maintenance_flag = config.data_dir / MAINTENANCE_FLAG
        self.maintenance = self._maintenance_flag.exists()
        self.bind(maintenance=self._keep_maintenance)

    @classmethod
    def from_config(cls, config: Config, simulate: bool = False,
                    monotonic: Callable[[], float] = time.monotonic) -> "Services":
        from kiosk.wiring import catalog_store
        from kiosk.store import open_store

        config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        store = open_store(config.data_dir, config.path(config.paths.data_key), create_key=simulate)
        hub = DeviceHub.simulated() if simulate else DeviceHub.from_config(config)
        return cls(config, hub, catalog=catalog_store(config), store=store, monotonic=monotonic)

    def _keep_maintenance(self, _services: Any, on: bool) -> None:
        try:
            if on:
                self._maintenance_flag.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._maintenance_flag.write_text("on\n", encoding="utf-8")
            else:
                self._maintenance_flag.unlink(missing_ok=True)
        except OSError as err:  # the switch still holds until the app stops
            log.error("maintenance flag not kept: %s", type(err).__name__)

    # -- what screens read --------------------------------------------------------------------
    @property
    def catalog(self) -> Any:
        return self._catalog.current() if hasattr(self._catalog, "current") else self._catalog

    @property
    def identity(self) -> Identity:
        if self.store is None:
            return self.config.identity
        return effective_identity(self.config.identity, self.store.kv)

    def items(self, category: str | None = None, kind: str | None = None) -> list[Any]:
        return [i for i in self.catalog.items
                if (category is None or i.category == category) and (kind is None or i.kind == kind)]

    def categories(self) -> list[str]:
        seen: list[str] = []
        for item in self.catalog.items:
            if item.category not in seen:
                seen.append(item.category)
        return seen

    def frequent(self, n: int = 6, elder: bool = False) -> list[Any]:
        key = (lambda i: (not i.elder_first, -i.popularity)) if elder else (lambda i: -i.popularity)
        return sorted(self.catalog.items, key=key)[:n]

    def servable(self, item: Any) -> bool:
        return not self.devices.missing_for(item)

    def anything_servable(self) -> bool:
        return any(self.servable(i) for i in self.catalog.items)

    # -- workers ------------------------------------------------------------------------------
    def in_worker(self, work: Callable[[], Any], done: Callable[[bool, Any], None],
                  name: str = "ui-worker") -> threading.Thread:
        """Run ``work()`` in a thread; ``done(ok, result_or_error)`` on the main thread."""
        @mainthread
        def report(ok: bool, value: Any) -> None:
            done(ok, value)

        def body() -> None:
            try:
                value = work()
            except Exception as err:  # translated by ``done``; never reaches a citizen as is
                (log.debug if name == "net" else log.warning)("%s failed: %s", name, type(err).__name__)
                report(False, err)
            else:
                report(True, value)

        thread = threading.Thread(target=body, name=name, daemon=True)
        thread.start()
        return thread

    def print_document(self, doc: Document, done: Callable[[bool, Any], None]) -> None:
        printer = self.devices.driver("printer")
        if printer is None:
            mainthread(done)(False, None)  # never inside the caller's frame
            return
        self.in_worker(lambda: printer.print_document(doc), done, "print")

    def perform(self, action: Any) -> bool:
        """Carry out a busy state's action; False when no handler is registered yet."""
        handler = ACTION_HANDLERS.get(type(action))
        if handler is None:
            log.error("no handler for %s", type(action).__name__)
            return False
        handler(self, action)
        return True

    # -- heartbeat and health for the agent ---------------------------------------------------
    def ui_state(self) -> str:
        if self.maintenance:
            return "maintenance"
        return "serving" if self.anything_servable() else "out_of_service"

    def write_heartbeat(self) -> None:
        state = self.ui_state()
        if self._ui_state is None or self._ui_state[0] != state:
            self._ui_state = (state, self.wall())
        try:
            write_heartbeat(self.runtime_dir, state, self._ui_state[1])
            write_device_health(self.runtime_dir, self.devices.reports())
        except OSError as err:
            log.error("heartbeat not written: %s", err)

    # -- the command spool --------------------------------------------------------------------
    def resume_commands(self) -> None:
        for command in self.spool.unfinished():
            self.run_command(command)

    def poll_spool(self) -> None:
        try:
            commands = self.spool.take()
        except OSError as err:
            log.error("spool unreadable: %s", err)
            return
        for command in commands:
            self.run_command(command)

    def run_command(self, command: SpoolCommand) -> None:
        kind, cid = command.type, command.id
        if kind in ("enter_maintenance", "leave_maintenance"):
            self.maintenance = kind == "enter_maintenance"
            self.spool.finish(cid, True, "maintenance on" if self.maintenance else "maintenance off")
            self.write_heartbeat()
        elif kind == "print_test_page":
            self.print_document(self.test_page(), lambda ok, value: self.spool.finish(
                cid, ok, "printed" if ok else f"not printed: {type(value).__name__}"))
        elif kind == "restart_app":
            self.spool.finish(cid, True, "restarting")
            self.dispatch("on_restart_requested")
        else:
            self.spool.finish(cid, False, f"unknown command {kind!r}")

    def test_page(self) -> Document:
        """Paper, so Chinese whatever the screen's language (kiosk/locale/zh/paper.toml)."""
        doc = Document()
        doc.text(tr("paper_test_title", "zh"), align="center", bold=True, double_width=True,
                 double_height=True)
        doc.kv(tr("paper_printed_at", "zh"), self.wall().strftime("%Y-%m-%d %H:%M:%S"))
        doc.text(tr("paper_test_body", "zh"))
        return identity_foot(doc, self.identity)

    def on_restart_requested(self) -> None: ...

    # -- network ------------------------------------------------------------------------------
    def check_network(self) -> None:
        """Try a TCP connection to the backend in a worker; sets ``network``."""
        url = urlsplit(str(self.config.backend.url))
        host, port = url.hostname or "", url.port or (443 if url.scheme == "https" else 80)
        timeout = self.config.backend.connect_timeout_s

        def probe() -> bool:
            with socket.create_connection((host, port), timeout=timeout):
                return True

        self.in_worker(probe, lambda ok, _: setattr(self, "network", "ok" if ok else "down"), "net")

    # -- life ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.devices.start()

    def stop(self) -> None:
        self.devices.stop()
        if self.store is not None:
            self.store.close()


# -- the busy-state actions built here ------------------------------------------------------
def _print_guide(services: Services, action: PrintGuide) -> None:
    session = services.session
    doc = guide_notice(action.item, services.identity, services.wall())

    def done(ok: bool, _value: Any) -> None:
        if session.state is State.GUIDE_PRINT:
            session.guide_printed(ok)

    services.print_document(doc, done)


ACTION_HANDLERS[PrintGuide] = _print_guide


def simulation_config(folder: Path, backend_url: str = "http://127.0.0.1:8765") -> Config:
    """A config for ``kiosk --simulate`` (every device emulated) with its files in ``folder``."""
    from kiosk.config import load_config

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.toml"
    path.write_text("""
[identity]
device_id = "ZZ-SIM-0001"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
location = "大学路街道便民服务中心大厅"

[devices]
idcard = { type = "emulated" }
printer = { type = "emulated" }
scanner = { type = "emulated" }
camera = { type = "emulated" }

[backend]
url = "%s"

[paths]
data_dir = "data"
runtime_dir = "run"
""" % backend_url, encoding="utf-8")
    return load_config(path)
