"""How fast the kiosk's agent delivers its outbox to the county backend, against the limit of
the path; and the agent's memory as the backlog grows.

    .venv/bin/python bench/outbox.py            # 1,000 transactions; backlogs 100, 1,000, 10,000
    .venv/bin/python bench/outbox.py --quick    # 300; backlogs 100, 1,000 (the tests' way)

The backend is the reference one (``county.app``) under uvicorn on 127.0.0.1, with a real
SQLite database, each in its own process (``bench/outbox_rig.py``); the machine is
enrolled with it as ``kiosk-provision init`` does (its Ed25519 key). The transactions are
sample visits walked through the real session (``kiosk.simulation.citizen``, item
zz-fwzlba: form, material photos 1280×720 JPEG, signature) and queued with the store's own
``submit`` (sealed, numbered); each has its own photos (a counter after the JPEG's end), so
nothing is deduplicated. Queueing is not measured: it runs with SQLite's fsync off.

1. Throughput, the same N transactions each, each to a fresh backend:
   - ``agent``: the agent's delivery loop (``kiosk.agent.runner.Agent.drain``, what
     ``kiosk-agent`` runs): reads and opens each sealed row and blob, PUTs the blobs, POSTs
     the transaction, records the acknowledgement (fsync'd);
   - ``plain POST loop``: one keep-alive ``requests.Session`` sending the same bytes, signed
     the same way (``kiosk.signing``), read into memory beforehand: the limit of this path.
   The backend's per-device rate limit is raised for these two (it would measure only
   itself); with ``--limited`` a third row: 100 through the agent's whole loop
   (``run_forever``: beacons, 429s waited out) under the default limit.
2. Memory as the backlog grows: 100, 1,000 (and 10,000) transactions with small photos
   queued, then a fresh agent process opens the store and delivers a part of the backlog
   (``--drain``): its RSS once the store is open, its peak while delivering, and the
   tracemalloc peak of the delivery (tracemalloc on: it slows the delivery). These must
   not grow with the backlog.

Wall-clock seconds: the machine is shared by whatever else runs; read the rows side by side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.outbox_rig import Backend, Machine, agent, fill, read_requests, sample_draft  # noqa: E402
from bench.startup import machine as machine_line  # noqa: E402

MARK = "BENCH "


def plain_loop(url: str, device_id: str, key, txns) -> None:
    """PUT each blob and POST each transaction on one keep-alive session, signed; no store."""
    import requests

    from kiosk.signing import sign_request
    from kiosk.wire import API_PREFIX

    with requests.Session() as session:
        for txn_id, body, blobs in txns:
            for sha, content_type, data in blobs:
                path = f"{API_PREFIX}/blobs/{sha}"
                headers = {"Content-Type": content_type, **sign_request(key, device_id, "PUT", path, data)}
                answer = session.put(url + path, data=data, headers=headers, timeout=30)
                if answer.status_code not in (200, 201):
                    raise RuntimeError(f"blob PUT answered {answer.status_code}")
            path = f"{API_PREFIX}/transactions"
            headers = {"Content-Type": "application/json", "Idempotency-Key": txn_id,
                       **sign_request(key, device_id, "POST", path, body)}
            answer = session.post(url + path, data=body, headers=headers, timeout=30)
            if answer.status_code != 201:
                raise RuntimeError(f"transaction POST answered {answer.status_code}: {answer.text[:200]}")


def throughput(folder: Path, count: int, limited: bool) -> list[tuple[str, int, float]]:
    """Rows (what, transactions, seconds); checks every transaction reached its backend once."""
    from kiosk.signing import DeviceKey

    rows = []
    key_file = folder / "device.key"
    for_agent, for_plain = Backend(folder / "county-agent"), Backend(folder / "county-plain")
    try:
        machine = Machine(folder / "kiosk", for_agent, key_file)
        Machine(folder / "kiosk-plain", for_plain, key_file).close()  # the same key, enrolled there
        fill(machine, sample_draft(machine.config, small=False), count, unique=True)
        txns = read_requests(machine)
        started = time.perf_counter()
        plain_loop(for_plain.url, machine.config.identity.device_id, DeviceKey.load(key_file), txns)
        rows.append(("plain POST loop (the limit)", count, time.perf_counter() - started))
        started = time.perf_counter()
        delivered = agent(machine).drain()
        rows.append(("agent (Agent.drain)", delivered, time.perf_counter() - started))
        for backend in (for_agent, for_plain):
            if backend.count("transactions") != count:
                raise RuntimeError(f"{backend.count('transactions')} transactions at a backend, not {count}")
        if for_agent.count("blobs") != for_plain.count("blobs"):
            raise RuntimeError("the two backends hold different numbers of images")
        if delivered != count or machine.pending():
            raise RuntimeError(f"the agent delivered {delivered} of {count}")
        machine.close()
    finally:
        for_agent.stop()
        for_plain.stop()
    if limited:
        rows.append(limited_row(folder))
    return rows


def limited_row(folder: Path) -> tuple[str, int, float]:
    """100 transactions through the agent's own loop (``run_forever``: beacons too, 429s
    waited out) to a backend with its default per-device limit."""
    backend = Backend(folder / "county-limited", limited=True)
    try:
        machine = Machine(folder / "kiosk-limited", backend, folder / "limited.key")
        fill(machine, sample_draft(machine.config, small=False), 100, unique=True)
        stop = threading.Event()
        loop = threading.Thread(target=agent(machine).run_forever, args=(stop,), daemon=True)
        started = time.perf_counter()
        loop.start()
        while machine.pending() and time.perf_counter() - started < 600:
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        stop.set()
        loop.join(60)
        delivered = backend.count("transactions")
        machine.close()
    finally:
        backend.stop()
    return "agent, default per-device limit", delivered, seconds


# -- memory as the backlog grows -------------------------------------------------------------------
def agent_child(config_path: str, drain: int) -> int:
    """In a fresh process: open the store, then deliver ``drain`` rows; print the memory."""
    import tracemalloc

    import psutil

    from kiosk.agent.runner import Agent
    from kiosk.client import CountyClient
    from kiosk.config import load_config
    from kiosk.signing import DeviceKey
    from kiosk.wiring import open_store

    proc = psutil.Process()
    config = load_config(config_path)
    store = open_store(config)
    client = CountyClient.from_config(config, DeviceKey.load(config.path(config.paths.device_key)))
    loop = Agent(config, store.outbox, store.kv, client)
    loop.beacons.build([])  # the beacon counts the backlog: what the agent does at start
    rss_open = proc.memory_info().rss
    peak = [rss_open]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], proc.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tracemalloc.start()
    started = time.perf_counter()
    delivered = loop.drain(max_passes=max(1, drain // 50))
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    done.set()
    sampler.join()
    print(MARK + json.dumps({"rss_open": rss_open, "rss_peak": peak[0], "rss_end": proc.memory_info().rss,
                             "traced_peak": traced_peak, "delivered": delivered, "seconds": seconds}), flush=True)
    store.close()
    client.close()
    return 0


def backlog_memory(folder: Path, sizes: list[int], drain: int) -> list[dict]:
    backend = Backend(folder / "county-backlog")
    results = []
    try:
        machine = Machine(folder / "kiosk-backlog", backend, folder / "backlog.key")
        draft = sample_draft(machine.config, small=True)
        for size in sizes:
            fill(machine, draft, size - machine.pending(), unique=False)
            held = machine.pending()
            proc = subprocess.run([sys.executable, __file__, "--agent-child", str(machine.config_path),
                                   "--drain", str(drain)], cwd=ROOT, capture_output=True, text=True, timeout=600)
            lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
            if proc.returncode != 0 or not lines:
                raise RuntimeError(f"agent child exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
            results.append({"backlog": held, **json.loads(lines[-1][len(MARK):])})
        machine.close()
    finally:
        backend.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="transactions delivered each way (default 1000)")
    parser.add_argument("--backlogs", default="100,1000,10000", help="backlog sizes (default 100,1000,10000)")
    parser.add_argument("--drain", type=int, default=200, help="rows each agent delivers of a backlog")
    parser.add_argument("--limited", action="store_true", help="also 100 under the backend's default rate limit")
    parser.add_argument("--quick", action="store_true", help="300 transactions; backlogs 100, 1000; drain 100")
    parser.add_argument("--agent-child", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.agent_child:
        return agent_child(args.agent_child, args.drain)
    if args.quick:
        args.count, args.backlogs, args.drain = 300, "100,1000", 100
    sizes = [int(size) for size in args.backlogs.split(",")]
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        folder = Path(tmp)
        rows = throughput(folder, args.count, args.limited)
        print(f"\n{'delivery to the county backend on loopback':<36} {'txns':>6} {'seconds':>8} {'txn/s':>8}")
        for what, count, seconds in rows:
            print(f"{what:<36} {count:>6} {seconds:>8.1f} {count / seconds:>8.1f}")
        plain, by_agent = rows[0], rows[1]
        print(f"agent / plain loop: {(by_agent[1] / by_agent[2]) / (plain[1] / plain[2]):.2f} of the limit")
        results = backlog_memory(folder, sizes, args.drain)
    print(f"\n{'backlog (pending txns)':<24} {'delivered':>9} {'RSS open':>9} {'RSS peak':>9} "
          f"{'traced peak':>11} {'txn/s':>7}")
    for r in results:
        print(f"{r['backlog']:<24} {r['delivered']:>9} {r['rss_open'] / 2**20:>7.0f}MB {r['rss_peak'] / 2**20:>7.0f}MB "
              f"{r['traced_peak'] / 2**20:>9.1f}MB {r['delivered'] / r['seconds']:>7.1f}")
    peaks = [r["rss_peak"] for r in results]
    growth = (max(peaks) - min(peaks)) / 2**20
    print(f"RSS peak spread across backlogs: {growth:.0f} MB "
          f"({'flat' if growth < 0.2 * statistics.median(peaks) / 2**20 else 'GROWS with the backlog'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
