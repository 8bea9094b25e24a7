"""The config is strict: a good file loads with every default documented and bounded; any
bad file stops with one line naming the key."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import Config, ConfigError, load_config, parse_config

GOOD = """
[identity]
device_id = "ZZ-EQ-0001"
name = "政务服务自助一体机"
category = "24小时自助服务终端"
maintainer = "二七区政务服务中心"
phone = "0371-68665010"
location = "大学路街道便民服务中心大厅"

[devices.idcard]
type = "serial"
port = "/dev/kiosk/idcard"

[devices.printer]
type = "serial"
port = "/dev/kiosk/printer"
paper_width_mm = 58

[devices.scanner]
type = "evdev"

[devices.camera]
type = "emulated"

[backend]
url = "https://zwfw.example.gov.cn/kiosk"

[paths]
data_dir = "data"
"""


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_defaults(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.identity.device_id == "ZZ-EQ-0001"
    assert config.devices.printer.paper_width_mm == 58
    assert config.devices.printer.baudrate == 9600
    assert config.devices.idcard.baudrate == 115200
    assert config.devices.scanner.port == "/dev/kiosk/scanner"
    assert config.devices.camera.type == "emulated"
    assert config.agent.beacon_interval_s == 60 and config.agent.retry_cap_s == 300
    assert config.retention.delivered_grace_s == 0
    assert config.data_dir == tmp_path / "data"  # relative to the config's folder
    assert config.path("/abs/x") .as_posix() == "/abs/x"
    assert config.source == str(tmp_path / "kiosk.toml")


@pytest.mark.parametrize("change, key", [
    ('[devices.printer]\ntype = "serial"\nbaudrate = 1234', "devices.printer.baudrate"),
    ('[devices.printer]\ntype = "parallel"', "devices.printer"),
    ('[devices.camera]\ntype = "v4l2"\nwidht = 640', "devices.camera.widht"),
    ('[devices.camera]\ntype = "v4l2"\nwidth = 100000', "devices.camera.width"),
    ('[devices.fax]\ntype = "serial"', "devices.fax"),
    ('[agent]\nbeacon_interval_s = 1', "agent.beacon_interval_s"),
    ('[agent]\nretry_cap_s = 900', "agent.retry_cap_s"),
    ('[session]\nidle_timeout_s = "long"', "session.idle_timeout_s"),
    ('[retention]\ndelivered_grace_s = -1', "retention.delivered_grace_s"),
    ('colour = "red"', "colour"),
])
def test_bad_values_name_their_key(tmp_path, change, key):
    base = GOOD
    section = change.split("\n")[0]
    if section.startswith("[") and section in base:  # replace that section
        start = base.index(section)
        end = base.find("\n[", start + 1)
        base = base[:start] + base[end + 1:] if end != -1 else base[:start]
    text = (change + "\n" + base) if not change.startswith("[") else (base + "\n" + change + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    message = str(err.value)
    assert "\n" not in message
    assert f": {key}: " in message


@pytest.mark.parametrize("identity, key", [
    ('device_id = "zz eq"', "identity.device_id"),
    ('phone = "call me"', "identity.phone"),
])
def test_bad_identity(tmp_path, identity, key):
    field = identity.split(" = ")[0]
    line = next(l for l in GOOD.splitlines() if l.startswith(field + " = "))
    text = GOOD.replace(line, identity)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(write(tmp_path, text))


def test_missing_required_section_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match=r"backend: Field required"):
        load_config(write(tmp_path, GOOD.replace("[backend]", "[backend_]")))
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[identity\n"))
    bad = tmp_path / "latin.toml"
    bad.write_bytes(b"name = \"\xff\xfe\"")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(bad)


def test_config_is_frozen(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(Exception):
        config.agent.beacon_interval_s = 5
    assert isinstance(config, Config)


KEYS = st.sampled_from(["identity", "devices", "backend", "paths", "agent", "session", "retention", "x"])
VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                      max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_any_structure_gives_a_config_or_one_line(raw):
    try:
        parse_config(raw, "fuzz.toml")
    except ConfigError as err:
        assert "\n" not in str(err) and str(err).startswith("fuzz.toml: ")


def with_backend(backend: str) -> str:
    start = GOOD.index("[backend]")
    end = GOOD.index("\n[", start + 1)
    return GOOD[:start] + "[backend]\n" + backend + GOOD[end:]


def test_usb_printer_through_usblp(tmp_path):
    text = GOOD.replace('type = "serial"\nport = "/dev/kiosk/printer"', 'type = "usb"')
    config = load_config(write(tmp_path, text))
    assert config.devices.printer.type == "usb"
    assert config.devices.printer.port == "/dev/usb/lp0" and config.devices.printer.paper_width_mm == 58
    with pytest.raises(ConfigError, match=r": devices\.printer\.baudrate: "):
        load_config(write(tmp_path, text.replace('type = "usb"', 'type = "usb"\nbaudrate = 9600')))


@pytest.mark.parametrize("backend", [
    'url = "http://127.0.0.1:8080"', 'url = "http://127.8.9.10/kiosk"', 'url = "http://[::1]:8080"',
    'url = "http://localhost:8080"', 'url = "https://127.0.0.1:8443"\nverify_tls = false',
    'url = "https://localhost"\nverify_tls = false', 'url = "https://zwfw.example.gov.cn"\nca_file = "county-ca.pem"',
])
def test_loopback_backends_may_use_http_or_skip_tls_checks(tmp_path, backend):
    config = load_config(write(tmp_path, with_backend(backend)))
    assert config.backend.url.host


@pytest.mark.parametrize("backend, key", [
    ('url = "http://zwfw.example.gov.cn/kiosk"', "backend.url"),
    ('url = "http://10.0.0.1/kiosk"', "backend.url"),
    ('url = "http://128.0.0.1/kiosk"', "backend.url"),
    ('url = "http://localhost.example.com/kiosk"', "backend.url"),
    ('url = "ftp://127.0.0.1/kiosk"', "backend.url"),
    ('url = "https://zwfw.example.gov.cn/kiosk"\nverify_tls = false', "backend.verify_tls"),
    ('url = "https://zwfw.example.gov.cn"\nca_file = "a\\u0000b"', "backend.ca_file"),
    ('url = "https://zwfw.example.gov.cn"\nca_file = ""', "backend.ca_file"),
])
def test_remote_backends_need_https_and_tls_checks(tmp_path, backend, key):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, with_backend(backend)))
    message = str(err.value)
    assert "\n" not in message and f": {key}: " in message and "Value error" not in message


@pytest.mark.parametrize("paths, key", [
    ('data_dir = "' + "d" * 5000 + '"', "paths.data_dir"),
    ('data_key = "data\\u0000.key"', "paths.data_key"),
    ('device_key = ""', "paths.device_key"),
    ('runtime_dir = "run\\u0000"', "paths.runtime_dir"),
])
def test_paths_are_bounded_and_hold_no_nul(tmp_path, paths, key):
    with pytest.raises(ConfigError, match=rf": {key.replace('.', '[.]')}: "):
        load_config(write(tmp_path, GOOD.replace('data_dir = "data"', paths)))


def test_timezone_defaults_to_shanghai_and_now_is_aware(tmp_path):
    from datetime import datetime, timedelta, timezone

    config = load_config(write(tmp_path, GOOD))
    assert config.timezone == "Asia/Shanghai"
    before = datetime.now(timezone.utc)
    now = config.now()
    assert now.utcoffset() == timedelta(hours=8) and before <= now <= datetime.now(timezone.utc)
    east = load_config(write(tmp_path, 'timezone = "Pacific/Kiritimati"\n' + GOOD)).now()
    west = load_config(write(tmp_path, 'timezone = "Etc/GMT+12"\n' + GOOD)).now()
    assert east.utcoffset() == timedelta(hours=14) and west.utcoffset() == timedelta(hours=-12)
    assert east.date() != west.date()  # 26 hours apart: never the same day


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "", "Asia/"])
def test_bad_timezone_is_one_line(tmp_path, zone):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, f'timezone = "{zone}"\n' + GOOD))
    assert ": timezone: " in str(err.value) and "\n" not in str(err.value)


# -- [voice] --------------------------------------------------------------------------------
def test_voice_defaults_are_on_with_quiet_nights(tmp_path):
    voice = load_config(write(tmp_path, GOOD)).voice
    assert voice.enabled and not voice.elder_only
    assert (voice.volume, voice.quiet_start, voice.quiet_end, voice.quiet_volume) == (80, "22:00", "07:00", 30)
    assert (voice.voice_zh, voice.voice_en, voice.rate_wpm, voice.cache_dir) == ("cmn", "en", 140, None)
    for name, field in type(voice).model_fields.items():
        assert field.description, name  # documented like every section


def test_voice_section_is_read(tmp_path):
    text = GOOD + '\n[voice]\nvolume = 55\nquiet_start = "21:30"\nquiet_end = "06:45"\nquiet_volume = 0\nelder_only = true\n'
    voice = load_config(write(tmp_path, text)).voice
    assert (voice.volume, voice.quiet_start, voice.quiet_end, voice.quiet_volume, voice.elder_only) == (
        55, "21:30", "06:45", 0, True)


@pytest.mark.parametrize("line, key", [
    ("volume = 101", "voice.volume"),
    ("volume = -1", "voice.volume"),
    ("quiet_volume = 150", "voice.quiet_volume"),
    ('quiet_start = "24:00"', "voice.quiet_start"),
    ('quiet_end = "7:00"', "voice.quiet_end"),
    ('quiet_end = "07:60"', "voice.quiet_end"),
    ('voice_zh = "-v en"', "voice.voice_zh"),
    ('voice_en = ""', "voice.voice_en"),
    ("rate_wpm = 20", "voice.rate_wpm"),
    ("speak = true", "voice.speak"),
])
def test_bad_voice_values_name_their_key(tmp_path, line, key):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, GOOD + f"\n[voice]\n{line}\n"))
    assert "\n" not in str(err.value) and f": {key}: " in str(err.value)


# -- [ime] ----------------------------------------------------------------------------------
def test_ime_has_no_county_words_by_default(tmp_path):
    ime = load_config(write(tmp_path, GOOD)).ime
    assert ime.extra_words is None
    for name, field in type(ime).model_fields.items():
        assert field.description, name


def test_ime_county_words_path_is_taken_from_the_config_folder(tmp_path):
    config = load_config(write(tmp_path, GOOD + '\n[ime]\nextra_words = "county_words.txt"\n'))
    assert config.path(config.ime.extra_words) == tmp_path / "county_words.txt"
    config = load_config(write(tmp_path, GOOD + '\n[ime]\nextra_words = "/etc/kiosk/words.txt"\n'))
    assert config.path(config.ime.extra_words) == Path("/etc/kiosk/words.txt")


@pytest.mark.parametrize("line", ['extra_words = ""', "extra_words = 5", 'extra_words = "a\\u0000b"',
                                  'words = "x.txt"'])
def test_bad_ime_values_name_their_key(tmp_path, line):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, GOOD + f"\n[ime]\n{line}\n"))
    assert "\n" not in str(err.value) and ": ime." in str(err.value)
