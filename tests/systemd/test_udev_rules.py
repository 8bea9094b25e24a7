"""99-kiosk.rules: made from the table of models, well formed, and a device with the table's
ids gets its /dev/kiosk name, group and mode — what the config's default ports expect."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.config import EvdevScanner, SerialIdCard, SerialPrinter
from provisioning.udev_rules import DEFAULT_CSV, DEFAULT_RULES, DeviceTableError, parse_table, render, rules_from
from tests.systemd.udev import Device, Parent, RuleSyntaxError, apply, parse_line, parse_rules

HEADER = "role,vendor,product,subsystem,port,model\n"


def usb(vendor: str, product: str, port: str = "1-1.2") -> list[Parent]:
    """The parents of a node on a USB device: the interface, then the device with its ids."""
    return [Parent(f"{port}:1.0", "usb", {"bInterfaceNumber": "00"}),
            Parent(port, "usb", {"idVendor": vendor, "idProduct": product, "product": "USB Serial"}),
            Parent("usb1", "usb", {"idVendor": "1d6b", "idProduct": "0002"})]


def tty(vendor: str, product: str, port: str = "1-1.2", kernel: str = "ttyUSB0") -> Device:
    return Device(kernel, "tty", [Parent(kernel, "usb-serial"), *usb(vendor, product, port)])


@pytest.fixture(scope="module")
def rules():
    return parse_rules(DEFAULT_RULES.read_text(encoding="utf-8"))


def test_the_shipped_rules_are_the_ones_made_from_the_table() -> None:
    assert DEFAULT_RULES.read_text(encoding="utf-8") == rules_from(DEFAULT_CSV)
    done = subprocess.run([sys.executable, "-m", "provisioning.udev_rules", "--check", str(DEFAULT_RULES)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_check_fails_on_a_hand_edited_file(tmp_path) -> None:
    edited = tmp_path / "99-kiosk.rules"
    edited.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace('MODE="0660"', 'MODE="0666"', 1))
    done = subprocess.run([sys.executable, "-m", "provisioning.udev_rules", "--check", str(edited)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "not made from" in done.stderr


def test_every_line_is_well_formed(rules) -> None:
    assert len(rules) == 2 + len(parse_table(DEFAULT_CSV.read_text(encoding="utf-8"))) + 1
    for tokens in rules:
        if tokens[0].key in ("LABEL",):
            continue
        assert any(t.is_match for t in tokens), tokens  # a rule without a match would hit every device
    with pytest.raises(RuleSyntaxError):
        parse_line('SUBSYSTEM="tty", SYMLINK+="x"')  # an assignment where a match was meant
    with pytest.raises(RuleSyntaxError):
        parse_line('ATTRS{idVendor}=="1a86" SYMLINK+="x"')  # a missing comma
    with pytest.raises(RuleSyntaxError):
        parse_line('SUBSYTEM=="tty"')  # a misspelt key


@pytest.mark.parametrize("vendor,product", [("1a86", "7523"), ("067b", "2303"), ("10c4", "ea60")])
def test_a_reader_behind_a_known_bridge_is_dev_kiosk_idcard(rules, vendor, product) -> None:
    out = apply(rules, tty(vendor, product))
    assert out.symlinks == ["kiosk/idcard"]
    assert "/dev/" + out.symlinks[0] == SerialIdCard(type="serial").port
    assert (out.group, out.mode) == ("dialout", "0660")
    assert out.env["ID_MM_DEVICE_IGNORE"] == "1"  # ModemManager must not send it AT commands


def test_usb_and_serial_printers_are_dev_kiosk_printer(rules) -> None:
    lp = Device("lp0", "usbmisc", [*usb("0416", "5011")])
    out = apply(rules, lp)
    assert out.symlinks == ["kiosk/printer"] and (out.group, out.mode) == ("lp", "0660")
    assert "/dev/" + out.symlinks[0] == SerialPrinter(type="serial").port
    out = apply(rules, tty("0403", "6001", kernel="ttyUSB1"))
    assert out.symlinks == ["kiosk/printer"] and out.group == "dialout"


def test_a_keyboard_wedge_scanner_is_dev_kiosk_scanner_and_hidden_from_the_compositor(rules) -> None:
    event = Device("event5", "input", [Parent("input7", "input", {"name": "Symbol Bar Code Scanner"}),
                                       *usb("05e0", "1200")], env={"ID_INPUT_KEYBOARD": "1"})
    out = apply(rules, event)
    assert out.symlinks == ["kiosk/scanner"] and (out.group, out.mode) == ("input", "0660")
    assert "/dev/" + out.symlinks[0] == EvdevScanner(type="evdev").port
    assert out.env["LIBINPUT_IGNORE_DEVICE"] == "1"
    mouse = Device("mouse0", "input", event.parents, env={"ID_INPUT_KEYBOARD": "1"})
    assert apply(rules, mouse).symlinks == []  # only the evdev node


def test_other_devices_and_removal_are_left_alone(rules) -> None:
    assert apply(rules, tty("1a86", "55d4")).symlinks == []  # another WCH chip (CH9102)
    assert apply(rules, tty("0403", "6015")).symlinks == []
    removed = tty("1a86", "7523")
    removed.action = "remove"
    assert apply(rules, removed).symlinks == [] and apply(rules, removed).group is None
    disk = Device("sda", "block", usb("1a86", "7523"))
    assert apply(rules, disk).symlinks == []


def test_two_devices_on_one_chip_are_told_apart_by_port() -> None:
    table = HEADER + ("idcard,1a86,7523,tty,1-1.2,reader on the left port\n"
                      "printer,1a86,7523,tty,1-1.4,serial printer on the right port\n")
    rules = parse_rules(render(parse_table(table)))
    assert apply(rules, tty("1a86", "7523", port="1-1.2")).symlinks == ["kiosk/idcard"]
    assert apply(rules, tty("1a86", "7523", port="1-1.4", kernel="ttyUSB1")).symlinks == ["kiosk/printer"]
    assert apply(rules, tty("1a86", "7523", port="1-1.3")).symlinks == []


@pytest.mark.parametrize("rows,message", [
    ("idcard,1a86,7523,tty,,a\nprinter,1a86,7523,tty,,b\n", "give each row a different port"),
    ("idcard,1a86,7523,tty,,a\nprinter,1a86,7523,tty,1-1.4,b\n", "give each row a different port"),
    ("camera,1a86,7523,tty,,a\n", "role"),
    ("idcard,1A86,75,tty,,a\n", "product"),
    ("idcard,1a86,7523,hidraw,,a\n", "subsystem"),
    ("idcard,1a86,7523,tty,usb1,a\n", "port"),
    ('idcard,1a86,7523,tty,,"say ""hi"""\n', "model"),
    ("idcard,1a86,7523,tty,,a,extra\n", "more than 6 columns"),
])
def test_a_bad_table_is_refused_with_its_line(rows, message) -> None:
    with pytest.raises(DeviceTableError, match=message) as caught:
        parse_table("# comment\n" + HEADER + rows, "t.csv")
    assert str(caught.value).startswith("t.csv:")


def test_a_bad_table_exits_2_with_one_line(tmp_path) -> None:
    table = tmp_path / "devices.csv"
    table.write_text(HEADER + "idcard,1a86,7523,tty,,a\nprinter,1a86,7523,tty,,b\n")
    done = subprocess.run([sys.executable, "-m", "provisioning.udev_rules", "--csv", str(table)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "lines 2, 3" in done.stderr
