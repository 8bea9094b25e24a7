"""Staff PINs: scrypt hashes with their salt and parameters, a right PIN finds its member, a
wrong one nobody; 6–8 digits only; no PIN shared; the file never holds a PIN."""

from __future__ import annotations

import json
import stat

import pytest

from kiosk.service.pins import (SCRYPT_N, PinRejected, StaffFile, StaffFileError, hash_pin, verify_pin)


def test_a_hash_verifies_its_pin_and_no_other():
    stored = hash_pin("246810")
    assert stored["n"] == SCRYPT_N and stored["r"] == 8 and stored["p"] == 1
    assert verify_pin("246810", stored)
    assert not verify_pin("246811", stored) and not verify_pin("2468100", stored) and not verify_pin("", stored)


def test_each_hash_has_its_own_salt():
    a, b = hash_pin("246810"), hash_pin("246810")
    assert a["salt"] != b["salt"] and a["hash"] != b["hash"]
    assert verify_pin("246810", a) and verify_pin("246810", b)


def test_the_stored_parameters_are_used_for_verifying():
    cheap = hash_pin("13572468", n=2 ** 10, r=4, p=1)
    assert verify_pin("13572468", cheap)
    assert not verify_pin("13572468", {**cheap, "n": 2 ** 11})


@pytest.mark.parametrize("pin", ["12345", "123456789", "12a456", " 123456", "", "１２３４５６"])
def test_pins_are_6_to_8_ascii_digits(pin):
    with pytest.raises(PinRejected):
        hash_pin(pin)


@pytest.mark.parametrize("tampered", [{"n": 2 ** 30}, {"n": 1000}, {"r": 4096}, {"salt": "@@"}, {"hash": ""}])
def test_a_tampered_entry_never_verifies_nor_costs_gigabytes(tampered):
    assert not verify_pin("246810", {**hash_pin("246810"), **tampered})


def test_staff_file_finds_the_member_by_pin(tmp_path):
    staff = StaffFile(tmp_path / "staff.json")
    assert staff.load() == [] and staff.who("246810") is None
    staff.add("王建国", "246810")
    staff.add("李娜", "13572468")
    assert staff.who("246810").name == "王建国"
    assert staff.who("13572468").name == "李娜"
    assert staff.who("000000") is None


def test_the_file_holds_hashes_only_and_is_not_world_readable(tmp_path):
    path = tmp_path / "staff.json"
    StaffFile(path).add("王建国", "246810")
    text = path.read_text(encoding="utf-8")
    assert "246810" not in text
    body = json.loads(text)
    assert body["version"] == 1 and set(body["staff"][0]["scrypt"]) == {"n", "r", "p", "salt", "hash"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_pin_in_use_is_refused_and_a_member_may_change_theirs(tmp_path):
    staff = StaffFile(tmp_path / "staff.json")
    staff.add("王建国", "246810")
    with pytest.raises(PinRejected):
        staff.add("李娜", "246810")
    staff.add("王建国", "86420864")  # a new PIN for the same member replaces the old
    assert [m.name for m in staff.load()] == ["王建国"]
    assert staff.who("246810") is None and staff.who("86420864").name == "王建国"
    assert staff.remove("王建国") and not staff.remove("王建国") and staff.load() == []


def test_a_broken_file_is_a_staff_file_error(tmp_path):
    path = tmp_path / "staff.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StaffFileError):
        StaffFile(path).load()
    path.write_text('{"version": 2, "staff": []}', encoding="utf-8")
    with pytest.raises(StaffFileError):
        StaffFile(path).load()


def test_names_are_bounded(tmp_path):
    with pytest.raises(ValueError):
        StaffFile(tmp_path / "s.json").add("", "246810")
    with pytest.raises(ValueError):
        StaffFile(tmp_path / "s.json").add("王" * 21, "246810")


def test_repr_shows_no_hash(tmp_path):
    member = StaffFile(tmp_path / "s.json").add("王建国", "246810")
    assert repr(member) == "Staff('王建国')"
