"""A missing or foreign data key stops the store from opening: it is never silently made
anew at run time (which would turn every pending transaction into a dead letter). Only
``kiosk-provision init`` (or a caller saying ``create_key=True`` for a new store) makes one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk import wiring
from kiosk.config import parse_config
from kiosk.crypto import CryptoError, DataKey
from kiosk.store import DataKeyMismatch, open_store
from tests.support.kiosk_env import make_draft

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 22, 10, 3, tzinfo=CST)


def submit_one(store):
    return store.outbox.submit(make_draft(1), "ZZ-EQ-0001", NOW).txn_id


def test_a_missing_key_file_is_an_error_not_a_new_key(tmp_path):
    data_dir, key_file = tmp_path / "data", tmp_path / "data.key"
    DataKey.load_or_create(key_file)
    with open_store(data_dir, key_file) as store:
        txn_id = submit_one(store)
    key_file.rename(tmp_path / "data.key.bak")  # lost in a restore, a bad image, a typo
    with pytest.raises(CryptoError, match="missing") as err:
        open_store(data_dir, key_file)
    assert "\n" not in str(err.value)
    assert not key_file.exists(), "no new key was made"
    with pytest.raises(CryptoError):
        open_store(data_dir, key_file, create_key=True)  # the store exists: never a new key for it
    assert not key_file.exists()
    (tmp_path / "data.key.bak").rename(key_file)
    with open_store(data_dir, key_file) as store:
        assert [p.key for p in store.outbox.due(NOW + timedelta(days=1), 10)] == [txn_id]
        assert store.outbox.status(NOW).dead == 0


def test_another_key_is_refused_with_its_fingerprint(tmp_path):
    data_dir = tmp_path / "data"
    right, wrong = DataKey.generate(), DataKey.generate()
    with open_store(data_dir, right) as store:
        txn_id = submit_one(store)
    wrong_file = tmp_path / "wrong.key"  # the wrong key given as a key file's path
    DataKey.load_or_create(wrong_file)
    for other in (wrong, wrong_file):
        with pytest.raises(DataKeyMismatch) as err:
            open_store(data_dir, other)
        message = str(err.value)
        assert message.startswith("data key does not match this store (fingerprint ")
        assert right.fingerprint in message and "\n" not in message
    with open_store(data_dir, right) as store:
        assert store.outbox.body(txn_id)  # still opens with its own key


def test_create_key_makes_a_key_only_for_a_new_store(tmp_path):
    key_file = tmp_path / "conf" / "data.key"
    with open_store(tmp_path / "data", key_file, create_key=True) as store:
        txn_id = submit_one(store)
    assert key_file.stat().st_mode & 0o777 == 0o600
    with open_store(tmp_path / "data", key_file) as store:
        assert store.outbox.body(txn_id)
    with pytest.raises(CryptoError):
        open_store(tmp_path / "other", tmp_path / "absent.key")  # new store, but not asked to create


def test_a_store_older_than_the_check_adopts_the_key_it_is_opened_with(tmp_path):
    from kiosk.store import FINGERPRINT_KEY

    key = DataKey.generate()
    with open_store(tmp_path / "data", key) as store:
        store.kv.delete(FINGERPRINT_KEY)
    with open_store(tmp_path / "data", key) as store:
        assert store.kv.get(FINGERPRINT_KEY) == key.fingerprint
    with pytest.raises(DataKeyMismatch):
        open_store(tmp_path / "data", DataKey.generate())


CONFIG = {"identity": {"device_id": "ZZ-EQ-0009", "maintainer": "二七区政务服务中心", "phone": "0371-68665010"},
          "backend": {"url": "http://127.0.0.1:9"}, "paths": {"data_dir": "data", "runtime_dir": "run"}}


def test_wiring_loads_and_never_creates(tmp_path):
    config = parse_config(CONFIG, str(tmp_path / "kiosk.toml"))
    with pytest.raises(CryptoError, match="missing"):
        wiring.open_store(config)
    assert not (tmp_path / "data.key").exists()
    DataKey.load_or_create(tmp_path / "data.key")
    with wiring.open_store(config) as store:
        assert store.outbox.status(NOW).pending == 0


def diag(*args):
    return subprocess.run([sys.executable, "-m", "kiosk.diag.cli", *args], capture_output=True, text=True, timeout=120)


def write_config(tmp_path, zone):
    lines = [f'timezone = "{zone}"', "[identity]"]
    lines += [f'{k} = "{v}"' for k, v in CONFIG["identity"].items()]
    lines += ["[backend]", 'url = "http://127.0.0.1:9"', "[paths]", 'data_dir = "data"', 'runtime_dir = "run"']
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_diag_refuses_a_missing_key_in_one_line(tmp_path):
    config = write_config(tmp_path, "Asia/Shanghai")
    for args in (["outbox", "status", "--config", str(config)],
                 ["outbox", "enqueue-sample", "--config", str(config), "--count", "1"]):
        done = diag(*args)
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1 and "missing" in done.stderr
    assert not (tmp_path / "data.key").exists()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_enqueue_sample_dates_txn_ids_in_the_configured_zone(tmp_path, zone):
    """UTC+14 and UTC-12 are 26 hours apart: their dates always differ, so this fails if
    the machine's own zone were used for either."""
    config = write_config(tmp_path, zone)
    DataKey.load_or_create(tmp_path / "data.key")
    before = datetime.now(ZoneInfo(zone)).date()
    done = diag("outbox", "enqueue-sample", "--config", str(config), "--count", "1", "--json")
    after = datetime.now(ZoneInfo(zone)).date()
    assert done.returncode == 0, done.stderr
    txn_id = json.loads(done.stdout)["txn_ids"][0]
    day = date(int(txn_id[11:15]), int(txn_id[15:17]), int(txn_id[17:19]))
    assert day in (before, after)
