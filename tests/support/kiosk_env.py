"""Helpers for agent tests: a config file on disk, an enrolled device key, citizen drafts."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kiosk import wire
from kiosk.config import Config, load_config
from kiosk.crypto import DataKey
from kiosk.draft import Blob, MaterialBlob, TransactionDraft
from kiosk.signing import DeviceKey

CST = timezone(timedelta(hours=8))
DEVICE_ID = "ZZ-EQ-0001"
CITIZEN_NAME = "欧阳小明"
CITIZEN_ID = "410102195003071234"


def write_config(folder: Path, url: str, *, beacon_interval_s: int = 60, retry_cap_s: int = 1,
                 read_timeout_s: float = 2.0, devices: str = 'printer = { type = "emulated" }\n'
                 'idcard = { type = "emulated" }\n', extra: str = "") -> Path:
    """A kiosk.toml under ``folder`` with relative paths (data/, run/, device.key, data.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.toml"
    path.write_text(f"""
[identity]
device_id = "{DEVICE_ID}"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
location = "大学路街道便民服务中心大厅"

[devices]
{devices}
[backend]
url = "{url}"
connect_timeout_s = 1.0
read_timeout_s = {read_timeout_s}

[paths]
data_dir = "data"
runtime_dir = "run"

[agent]
beacon_interval_s = {beacon_interval_s}
retry_cap_s = {retry_cap_s}
ui_stale_after_s = 30
{extra}""", encoding="utf-8")
    return path


def make_env(folder: Path, county: Any, **kw: Any) -> tuple[Config, DeviceKey]:
    """Config on disk, device key made (0600) and enrolled at ``county``, data key made (as
    ``kiosk-provision init`` does: the kiosk's processes only load keys)."""
    config = load_config(write_config(folder, county.url, **kw))
    key = DeviceKey.load_or_create(config.path(config.paths.device_key))
    DataKey.load_or_create(config.path(config.paths.data_key))
    county.enroll_key(DEVICE_ID, key.public_key_b64())
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return config, key


def fake_image(seed: str, size: int = 300, content_type: str = "image/jpeg") -> Blob:
    data = bytearray((hashlib.sha256(seed.encode()).digest() * (size // 32 + 1))[:size])
    return Blob(content_type, data)


def make_draft(n: int, item_code: str = "zz-gljt", shared_blob: bool = False) -> TransactionDraft:
    applicant = wire.Applicant(id_type="resident", id_number=CITIZEN_ID, name=CITIZEN_NAME, gender="男",
                               nation="汉", birth="1950-03-07", address="郑州市二七区大学路80号",
                               authority="郑州市公安局二七分局", valid_from="2015-01-01", valid_to="长期",
                               phone="13800138000")
    return TransactionDraft(
        item_code=item_code, item_version="3", item_name="高龄津贴申领", promised_days=7,
        identity_method="id_card", applicant=applicant,
        created_at=datetime(2026, 11, 22, 10, 3, tzinfo=CST),
        form={"phone": "13800138000", "bank": "中原银行"},
        materials=[MaterialBlob("hukou", "户口簿", fake_image("shared" if shared_blob else f"hukou-{n}"))],
        face_photo=fake_image(f"face-{n}", 200),
        signature=fake_image(f"sig-{n}", 100, "image/png"),
    )


def rating(txn_id: str, score: int = 5) -> wire.RatingIn:
    return wire.RatingIn(txn_id=txn_id, score=score, reasons=["态度好"], comment="",
                         rated_at=datetime(2026, 11, 22, 10, 9, tzinfo=CST))
