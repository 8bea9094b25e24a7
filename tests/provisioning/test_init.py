"""`kiosk-provision init` makes the keys and the config, enrolls over real HTTP, and the
machine it makes works end to end: sample visits queued as the UI would, delivered by a
real `kiosk-agent --once`, every transaction at the county exactly once."""

import json
import os
import stat
import subprocess
import sys

import pytest

from kiosk.config import load_config
from tests.support.fake_county import FakeCounty

IDENTITY = ["--name", "政务服务自助一体机", "--category", "24小时自助服务终端", "--maintainer", "二七区政务服务中心",
            "--phone", "0371-68665010", "--location", "大学路街道便民服务中心大厅"]


def run(module, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=timeout)


def provision(county, folder, token, device_id="ZZ-EQ-0001", *extra):
    return run("provisioning.cli", "init", "--dir", str(folder), "--device-id", device_id, "--backend", county.url,
               "--token", token, *IDENTITY, "--devices", "emulated", *extra, "--json")


def test_init_enrolls_and_the_machine_delivers_end_to_end(tmp_path):
    folder = tmp_path / "kiosk"
    with FakeCounty() as county:
        done = provision(county, folder, county.new_token())
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["device_id"] == "ZZ-EQ-0001" and result["enrolled_at"]
        assert county.devices["ZZ-EQ-0001"] == result["public_key"]

        config_file = folder / "kiosk.toml"
        config = load_config(config_file)
        assert config.identity.maintainer == "二七区政务服务中心"
        assert config.devices.printer.type == "emulated"
        assert config.path(config.paths.runtime_dir) == folder / "run"  # all of the machine under --dir
        assert config.data_dir == folder / "data"
        for key in ("device.key", "data.key"):
            assert stat.S_IMODE(os.stat(folder / key).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(folder / "data").st_mode) == 0o700

        queued = run("kiosk.diag.cli", "outbox", "enqueue-sample", "--config", str(config_file), "--count", "3", "--json")
        assert queued.returncode == 0, queued.stderr
        numbers = json.loads(queued.stdout)["txn_ids"]
        agent = run("kiosk.agent_main", "--config", str(config_file), "--once")
        assert agent.returncode == 0, agent.stderr
        assert sorted(county.txns) == sorted(numbers)
        assert all(county.created[n] == 1 for n in numbers)
        status = json.loads(run("kiosk.diag.cli", "outbox", "status", "--config", str(config_file), "--json").stdout)
        assert status["pending"] == 0 and status["delivered"] == 6 and status["dead"] == 0

        # run again (same machine, a fresh token): keys kept, enrollment accepted again
        again = provision(county, folder, county.new_token())
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["public_key"] == result["public_key"]


def test_refusals_are_one_line(tmp_path):
    with FakeCounty() as county:
        token = county.new_token()
        assert provision(county, tmp_path / "a", token).returncode == 0
        cases = [
            provision(county, tmp_path / "b", token, "ZZ-EQ-0002"),  # a used token
            provision(county, tmp_path / "c", county.new_token(), "ZZ-EQ-0001"),  # another key, same id
            provision(county, tmp_path / "d", county.new_token(), "bad id"),
        ]
    unreachable = run("provisioning.cli", "init", "--dir", str(tmp_path / "e"), "--device-id", "ZZ-EQ-0003",
                      "--backend", "http://127.0.0.1:9", "--token", "t" * 16, *IDENTITY)
    for done in cases + [unreachable]:
        assert done.returncode == 1, done.stdout
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "bad_token" in cases[0].stderr and "already_enrolled" in cases[1].stderr
    assert "device_id" in cases[2].stderr and "not reachable" in unreachable.stderr


def test_delivered_transactions_leave_no_personal_data_on_the_kiosk(tmp_path):
    """After the agent's delivery (retention grace 0), the data folder holds no trace of the
    citizen in any encoding, and the rows keep only number, item, times and status."""
    folder = tmp_path / "kiosk"
    with FakeCounty() as county:
        assert provision(county, folder, county.new_token()).returncode == 0
        config_file = folder / "kiosk.toml"
        assert run("kiosk.diag.cli", "outbox", "enqueue-sample", "--config", str(config_file), "--count", "2").returncode == 0
        assert run("kiosk.agent_main", "--config", str(config_file), "--once").returncode == 0
    from drivers.idcard import samples
    from kiosk import wiring

    card = samples.LI_XIAOMING
    with wiring.open_store(load_config(config_file)) as store:
        store.checkpoint()
        rows = store.outbox.recent(10)
        assert len(rows) == 2 and all(r.state == "delivered" and r.purged for r in rows)
        assert all(r.txn_id and r.item_name for r in rows)  # the row keeps what the menu shows
    needles = [card.name, card.id_number, card.address]
    for path in (folder / "data").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                for encoding in ("utf-8", "utf-16-le", "utf-16-be", "gb18030"):
                    assert needle.encode(encoding) not in data, (path.name, encoding)


def test_bad_input_is_one_line_and_writes_nothing(tmp_path):
    cases = {
        "--token: String should have at least 8 characters": ["--token", "abc"],
        "backend.url: must be https://": ["--backend", "http://zwfw.example.gov.cn/kiosk"],
        "identity.phone: ": ["--phone", "call me"],
    }
    for expected, change in cases.items():
        folder = tmp_path / change[0].strip("-")
        args = ["init", "--dir", str(folder), "--device-id", "ZZ-EQ-0001", "--backend", "http://127.0.0.1:9",
                "--token", "t" * 16, *IDENTITY]
        args[args.index(change[0]) + 1] = change[1]
        done = run("provisioning.cli", *args)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr and expected in lines[0], done.stderr
        assert not folder.exists(), "nothing written for bad input"


def test_a_lost_or_foreign_data_key_is_refused_on_a_provisioned_machine(tmp_path):
    """Running init again never makes a new data key for a store that has records."""
    from kiosk import wiring
    from kiosk.crypto import CryptoError, DataKey
    from kiosk.store import DataKeyMismatch

    folder = tmp_path / "kiosk"
    with FakeCounty() as county:
        assert provision(county, folder, county.new_token()).returncode == 0
        config = load_config(folder / "kiosk.toml")
        with wiring.open_store(config) as store:  # init made the store and recorded the key
            assert store.outbox.status(config.now()).pending == 0
        key_file = folder / "data.key"
        key_file.rename(folder / "data.key.bak")
        again = provision(county, folder, county.new_token())
        assert again.returncode == 1 and "missing" in again.stderr and len(again.stderr.strip().splitlines()) == 1
        assert not key_file.exists()
        with pytest.raises(CryptoError):
            wiring.open_store(config)
        DataKey.load_or_create(key_file)  # somebody made a fresh one by hand
        foreign = provision(county, folder, county.new_token())
        assert foreign.returncode == 1 and "does not match this store" in foreign.stderr
        with pytest.raises(DataKeyMismatch):
            wiring.open_store(config)
        key_file.unlink()
        (folder / "data.key.bak").rename(key_file)
        assert provision(county, folder, county.new_token()).returncode == 0
