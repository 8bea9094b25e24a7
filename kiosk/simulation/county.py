"""The county side of ``kiosk --simulate``: the reference backend on loopback with a
temporary SQLite database, the machine enrolled with it, and the agent delivering to it.

Everything real but the place: the same ``county`` app a pilot runs, the same Ed25519
enrollment ``kiosk-provision init`` does, the same ``Agent`` loop ``kiosk-agent`` runs
(here in a thread of the simulating process, so one command starts the whole demo).
The machine reaches the backend through a :class:`~kiosk.simulation.relay.Relay` (its
config holds the relay's URL), so cutting the relay is a network outage the agent and the
UI both see.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from kiosk.simulation.relay import Relay

log = logging.getLogger(__name__)


class LoopbackCounty:
    """``county.app`` served by uvicorn on 127.0.0.1 (an ephemeral port) in a thread."""

    def __init__(self, folder: Path) -> None:
        self.db_url = f"sqlite:///{folder / 'county.db'}"
        self.url = ""
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> "LoopbackCounty":
        import uvicorn

        from county.app import create_app
        from county.db import Database

        self.database = Database(self.db_url)
        app = create_app(self.db_url, database=self.database)
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False,
                                lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="sim-county", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the simulated county backend did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def token(self) -> str:
        from county.admin import create_token

        return create_token(self.database, time.time())["token"]

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.database.dispose()


class SimulatedCounty:
    """The backend, the enrollment and an agent thread for one simulated machine."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.county = LoopbackCounty(folder)
        self.relay: Relay | None = None
        self._stop = threading.Event()
        self._agent: threading.Thread | None = None
        self._store = None

    def start(self, config_for_url):
        """Start the backend and the relay to it; ``config_for_url(url)`` makes the machine's
        config (``url`` is the relay's); the machine is enrolled and its agent started.
        Returns the config."""
        from kiosk.client import CountyClient
        from kiosk.crypto import DataKey
        from kiosk.signing import DeviceKey

        self.county.start()
        port = int(self.county.url.rsplit(":", 1)[1])
        self.relay = Relay(("127.0.0.1", port)).start()
        config = config_for_url(self.relay.url)
        key = DeviceKey.load_or_create(config.path(config.paths.device_key))
        DataKey.load_or_create(config.path(config.paths.data_key))
        client = CountyClient.from_config(config, key)
        client.enroll(self.county.token(), key.public_key_b64(), config.identity)
        self._agent = threading.Thread(target=self._run_agent, args=(config, client), name="sim-agent", daemon=True)
        self._agent.start()
        return config

    def _run_agent(self, config, client) -> None:
        from kiosk.agent.runner import Agent
        from kiosk.wiring import open_store

        self._store = open_store(config)
        try:
            Agent(config, self._store.outbox, self._store.kv, client).run_forever(self._stop)
        except Exception:  # the demo goes on without delivery; the beacon file says so
            log.exception("simulated agent stopped")

    def stop(self) -> None:
        self._stop.set()
        if self._agent is not None:
            self._agent.join(30)
        if self._store is not None:
            self._store.close()
        if self.relay is not None:
            self.relay.stop()
        self.county.stop()
