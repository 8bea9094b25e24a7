"""The shipped catalog: every item valid and complete, and the folder format's checks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from kiosk.catalog.loader import SHIPPED_DIR, CatalogError, catalog_payload, load_shipped, parse_catalog
from kiosk.catalog.model import Item

CATALOG = load_shipped()
ITEMS = {item.code: item for item in CATALOG.items}
PHONE = re.compile(r"0371-\d{8}")


def test_the_shipped_catalog_has_what_the_issue_names() -> None:
    names = " ".join(item.name for item in CATALOG.items)
    for wanted in ("房屋租赁", "临时占用城市道路许可", "高龄津贴申领", "残疾人两项补贴申请", "就业失业登记",
                   "老年人优待证办理", "城乡居民医保参保登记", "异地就医备案", "生育服务登记",
                   "独生子女父母关怀抚恤金申领", "灵活就业人员退休申请", "预约上门代办", "一件事",
                   "基本养老保险个人权益单", "社会保险缴费证明"):
        assert wanted in names, wanted
    assert len(CATALOG.items) >= 12
    kinds = {item.kind for item in CATALOG.items}
    assert kinds == {"service", "bundle", "certificate", "appointment"}
    assert {i.certificate_kind for i in CATALOG.items if i.kind == "certificate"} == {
        "pension-rights", "social-insurance-payment"}


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_each_shipped_item_is_complete(code: str) -> None:
    item = ITEMS[code]
    raw = json.loads((SHIPPED_DIR / "items" / f"{code}.json").read_text(encoding="utf-8"))
    assert Item.model_validate(raw) == item  # the file alone is a valid item
    g = item.guide
    assert all(b.startswith("《") for b in g.basis), "cite laws by their names"
    assert g.conditions and g.process and g.venues and g.hours
    assert any("12345" in c for c in g.consult)
    assert "12345" in g.supervise and PHONE.search(g.supervise)
    assert all(PHONE.fullmatch(v.phone) for v in g.venues if v.phone)
    assert any(PHONE.search(c) for c in g.consult)
    assert item.summary and item.keywords
    if item.kind in ("service", "bundle", "appointment"):
        assert "phone" in {f.name for f in item.fields}, "the county must be able to call back"
    if item.kind == "certificate":
        assert item.face_photo, "a certificate of someone's insurance needs a face match"
    if g.time_limit.legal_days:
        assert g.time_limit.promised_days <= g.time_limit.legal_days


def test_age_bounds_of_the_elder_items() -> None:
    assert ITEMS["zz-gljt"].eligibility.min_age == 80
    assert ITEMS["zz-lnrydz"].eligibility.min_age == 60


def test_the_bundle_feeds_service_items() -> None:
    bundle = next(i for i in CATALOG.items if i.kind == "bundle")
    assert len(bundle.bundle) >= 2
    assert all(ITEMS[code].kind == "service" for code in bundle.bundle)


def test_payload_round_trip_is_exact() -> None:
    payload = catalog_payload(CATALOG)
    assert set(payload) == {"version", "items"}
    wire = json.loads(json.dumps(payload, ensure_ascii=False))
    assert parse_catalog(wire) == CATALOG
    first = wire["items"][0]
    assert {"code", "name", "version", "fields", "materials"} <= set(first)


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(SHIPPED_DIR, target)
    return target


def test_a_copy_loads_from_its_own_folder(copy_dir: Path) -> None:
    manifest = json.loads((copy_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "test-1"
    (copy_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert load_shipped(copy_dir).version == "test-1"


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "items" / "zz-stray.json").write_text("{}"), "not in manifest"),
    (lambda d: (d / "items" / "zz-gljt.json").unlink(), "missing"),
    (lambda d: (d / "items" / "zz-gljt.json").write_text("{broken", encoding="utf-8"), "unreadable"),
    (lambda d: (d / "items" / "zz-gljt.json").write_bytes(b"\xff\xfe"), "unreadable"),
    (lambda d: (d / "manifest.json").write_text('{"version": "1"}'), "manifest"),
    (lambda d: (d / "manifest.json").write_text('{"version": "1", "items": ["../x"]}'), "manifest"),
    (lambda d: (d / "items" / "zz-gljt.json").write_text(
        (d / "items" / "zz-lnrydz.json").read_text(encoding="utf-8"), encoding="utf-8"), "code must be"),
])
def test_a_damaged_folder_is_a_catalog_error(copy_dir: Path, damage, message: str) -> None:
    damage(copy_dir)
    with pytest.raises(CatalogError, match=message):
        load_shipped(copy_dir)
