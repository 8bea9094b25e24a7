"""`kiosk-diag outbox enqueue-sample` queues transactions through the real session and
store, as the UI would; `status` reports the backlog; bad input is one line on stderr."""

import json
import subprocess
import sys

from drivers.idcard import samples
from kiosk.config import load_config
from kiosk.crypto import DataKey
from kiosk import wiring

CONFIG = """
[identity]
device_id = "ZZ-EQ-0009"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
[backend]
url = "http://127.0.0.1:9"
[paths]
data_dir = "data"
data_key = "data.key"
runtime_dir = "run"
"""


def diag(*args):
    return subprocess.run([sys.executable, "-m", "kiosk.diag.cli", *args], capture_output=True, text=True, timeout=120)


def test_enqueue_then_status(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    DataKey.load_or_create(tmp_path / "data.key")  # as kiosk-provision init does: nothing else makes keys
    done = diag("outbox", "enqueue-sample", "--config", str(config), "--count", "3", "--json")
    assert done.returncode == 0, done.stderr
    queued = json.loads(done.stdout)
    assert queued["txn_ids"] == [f"ZZ-EQ-0009-{n[11:19]}-00000{i}" for i, n in enumerate(queued["txn_ids"], 1)]
    done = diag("outbox", "status", "--config", str(config), "--json")
    status = json.loads(done.stdout)
    assert status["pending"] == 6  # three transactions and their three ratings
    assert status["dead"] == 0 and status["oldest_pending_age_s"] is not None
    # what was queued is a whole transaction: applicant from the card, materials, signature
    with wiring.open_store(load_config(config)) as store:
        body = json.loads(store.outbox.body(queued["txn_ids"][0]))
    assert body["applicant"]["id_number"] == samples.LI_XIAOMING.id_number
    assert body["materials"] and body["signature"]["content_type"] == "image/png"
    assert body["identity_method"] == "id_card" and body["item_code"] == "zz-fwzlba"


def test_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.replace('phone = "0371-68665010"', 'phone = "x"'), encoding="utf-8")
    for args in (["outbox", "status", "--config", str(bad)],
                 ["outbox", "enqueue-sample", "--config", str(tmp_path / "none.toml")],
                 ["outbox", "enqueue-sample", "--config", str(bad), "--count", "0"]):
        done = diag(*args)
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
