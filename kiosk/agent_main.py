"""``kiosk-agent --config FILE [--once]``: outbox delivery and health beacons.

A process apart from the UI (systemd runs both), so the county keeps hearing from a machine
whose UI has died. Without ``--once`` it runs until SIGTERM or SIGINT: a beacon at start and
every ``agent.beacon_interval_s``, delivery continuously with back-off; the signal ends the
current request and the loop, and it exits 0. ``--once`` drains what it can, sends one
beacon and exits 0 (also when the backend is away: the rows stay queued); SIGTERM or SIGINT
ends it too after the request in flight, without the beacon, exit 0.

The store and the catalog are found through ``kiosk.wiring`` (one place for the UI, the
agent and ``kiosk-diag``).

A config or key that cannot be used: one line on stderr naming the key, exit 2.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from kiosk.config import ConfigError, load_config
from kiosk.signing import DeviceKey, KeyFileError

log = logging.getLogger("kiosk.agent")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-agent", description="Deliver the outbox and send health beacons.")
    parser.add_argument("--config", required=True, help="the kiosk's TOML config")
    parser.add_argument("--once", action="store_true", help="drain what can be delivered, send one beacon, exit")
    parser.add_argument("--verbose", action="store_true", help="log debug lines")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"kiosk-agent: {err}", file=sys.stderr)
        return 2
    try:
        key = DeviceKey.load(config.path(config.paths.device_key))
    except KeyFileError as err:
        print(f"kiosk-agent: {config.source}: paths.device_key: {err}", file=sys.stderr)
        return 2

    from kiosk.agent.runner import Agent  # after the config: a bad file fails fast
    from kiosk.client import CountyClient
    from kiosk.wiring import open_store

    try:
        store = open_store(config)
    except Exception as err:  # one line, whatever the store found wrong
        import kiosk.store
        from kiosk.crypto import CryptoError

        key_errors = (CryptoError, getattr(kiosk.store, "DataKeyMismatch", CryptoError))
        where = "paths.data_key" if isinstance(err, key_errors) else "paths.data_dir"
        line = " ".join(str(err).split())
        print(f"kiosk-agent: {config.source}: {where}: cannot open the store: {line}", file=sys.stderr)
        return 2
    client = CountyClient.from_config(config, key)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        agent = Agent(config, store.outbox, store.kv, client)
        if args.once:
            return agent.run_once(stop)
        log.info("agent for %s started", config.identity.device_id)
        agent.run_forever(stop)
        log.info("agent stopped")
        return 0
    finally:
        client.close()
        store.close()


if __name__ == "__main__":
    sys.exit(main())
