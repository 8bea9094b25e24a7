"""The ``county`` command, run as a subprocess: tokens, transactions, commands, fleet, serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import requests

from county.admin import list_commands
from tests.county.support import JPEG, PNG, Kiosk, sample_txn


def county(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "COUNTY_DB"}
    return subprocess.run([sys.executable, "-m", "county.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**clean, **(env or {})})


def test_token_create_prints_a_single_use_token(server, db_url):
    made = county("token", "create", "--db", db_url)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token and "\n" not in token and "single use" in made.stderr
    from kiosk.signing import DeviceKey

    assert Kiosk(server, "ZZ-EQ-0005", DeviceKey.generate()).enroll(token).status_code == 201
    assert Kiosk(server, "ZZ-EQ-0006", DeviceKey.generate()).enroll(token).status_code == 403
    by_env = county("token", "create", "--json", env={"COUNTY_DB": db_url})
    assert by_env.returncode == 0 and json.loads(by_env.stdout)["token"].startswith("ct-")


def test_every_subcommand_needs_a_database():
    for args in (["token", "create"], ["txn", "list"], ["txn", "set-status", "X", "reviewing"],
                 ["command", "send", "D", "reload_catalog"], ["fleet"], ["serve"]):
        done = county(*args)
        assert done.returncode == 2 and "COUNTY_DB" in done.stderr, args


def test_txn_list_and_set_status(server, db_url, kiosk):
    kiosk.put_blob(JPEG)
    kiosk.put_blob(PNG, "image/png")
    txn_id = kiosk.txn_id(1)
    assert kiosk.post_txn(sample_txn(txn_id)).status_code == 201
    listed = county("txn", "list", "--db", db_url, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["txn_id"] for r in rows] == [txn_id] and rows[0]["applicant"] == "李*明"
    assert "110105199003071239" not in listed.stdout and "李小明" not in listed.stdout
    moved = county("txn", "set-status", txn_id, "completed", "--note", "已办结", "--db", db_url)
    assert moved.returncode == 0, moved.stderr
    progress = kiosk.send("GET", f"/transactions/{txn_id}").json()
    assert progress["status"] == "completed" and progress["history"][-1]["note"] == "已办结"
    assert county("txn", "list", "--db", db_url, "--status", "received").stdout.strip() == "(no transactions)"
    unknown = county("txn", "set-status", kiosk.txn_id(9), "completed", "--db", db_url)
    assert unknown.returncode == 1 and "no transaction" in unknown.stderr
    bad = county("txn", "set-status", txn_id, "lost", "--db", db_url)
    assert bad.returncode == 1 and "status must be" in bad.stderr


def test_command_send_reaches_the_next_beacon(server, db_url, kiosk):
    sent = county("command", "send", kiosk.device_id, "set_identity", "--args", '{"location": "二楼"}', "--db", db_url,
                  "--json")
    assert sent.returncode == 0, sent.stderr
    command_id = json.loads(sent.stdout)["id"]
    assert kiosk.beacon().json()["commands"] == [{"id": command_id, "type": "set_identity",
                                                  "args": {"location": "二楼"}}]
    kiosk.beacon(acks=[{"command_id": command_id, "ok": True, "message": "done"}])
    assert list_commands(server.db)[0]["ok"] is True
    listed = county("command", "list", "--db", db_url)
    assert command_id in listed.stdout and "acked ok" in listed.stdout
    assert county("command", "send", "ZZ-NOPE", "reload_catalog", "--db", db_url).returncode == 1
    assert county("command", "send", kiosk.device_id, "reload_catalog", "--args", "[1]", "--db", db_url).returncode == 1
    assert county("command", "send", kiosk.device_id, "set_identity", "--args", '{"colour": 1}',
                  "--db", db_url).returncode == 1
    unknown = county("command", "send", kiosk.device_id, "dance", "--db", db_url)
    assert unknown.returncode == 0 and "not a command type" in unknown.stderr


def test_fleet_lists_every_kiosk(server, db_url):
    server.enroll("ZZ-EQ-0001").beacon()
    server.enroll("ZZ-EQ-0002")
    done = county("fleet", "--db", db_url, "--json")
    assert done.returncode == 0, done.stderr
    assert sorted(row["device_id"] for row in json.loads(done.stdout)) == ["ZZ-EQ-0001", "ZZ-EQ-0002"]
    plain = county("fleet", "--db", db_url)
    assert plain.returncode == 0 and "ZZ-EQ-0002" in plain.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_uvicorn_without_an_access_log_of_bodies(db_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "COUNTY_DB"}
    proc = subprocess.Popen([sys.executable, "-m", "county.cli", "serve", "--db", db_url, "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "county serve did not come up"
            time.sleep(0.1)
        token = county("token", "create", "--db", db_url).stdout.strip()
        from kiosk.signing import DeviceKey

        class Remote:
            clock = staticmethod(time.time)

        remote = Remote()
        remote.url = url
        kiosk = Kiosk(remote, "ZZ-EQ-0001", DeviceKey.generate())  # type: ignore[arg-type]
        assert kiosk.enroll(token).status_code == 201
        kiosk.put_blob(JPEG)
        kiosk.put_blob(PNG, "image/png")
        assert kiosk.post_txn(sample_txn(kiosk.txn_id(1))).status_code == 201
        query = kiosk.send("POST", "/transactions/query", {"id_number": "110105199003071239"})
        assert len(query.json()["transactions"]) == 1
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    for needle in ("110105199003071239", "李小明", "13800138000", token):
        assert needle not in output
    assert "POST /api/v1/transactions 201" in output  # the scrubbed line
