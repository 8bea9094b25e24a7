"""证明打印: the FetchCertificate handler against the fake county on loopback — the
certificate printed on the stub printer with the identity card at its foot; no record at
the county, the backend away, the printer out or down: each told plainly on the working
screen, the visit ended, nothing personal left."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest

from drivers.health import DeviceState
from drivers.idcard.samples import LI_XIAOMING
from drivers.printer.errors import PaperOut
from kiosk.draft import Blob
from kiosk.i18n import tr
from kiosk.session import FetchCertificate, State
from kiosk.ui.services import ACTION_HANDLERS
from tests.support.fake_county import CST
from tests.ui import conftest
from tests.ui.test_screen_progress import DEVICE_ID, county_config

ITEM = "zz-sbjfzm"
KIND = "social-insurance-payment"
CERT = {"kind": KIND, "title": "社会保险参保缴费证明",
        "lines": ["姓名：李小明", "证件号码：110105199003071239", "缴费起止：2015年6月至2026年10月",
                  "累计缴费：137个月"],
        "issued_at": datetime(2026, 11, 22, 10, 5, tzinfo=CST).isoformat(), "verify_code": "ZZ7Q-4K2M-88"}


pytestmark = pytest.mark.usefixtures("keep_action_handlers")


@pytest.fixture
def county():
    from tests.support.fake_county import FakeCounty

    with FakeCounty() as c:
        yield c


@pytest.fixture
def cert_module(monkeypatch):
    module = importlib.import_module("kiosk.ui.screens.certificate")
    ACTION_HANDLERS[FetchCertificate] = module._fetch_certificate
    monkeypatch.setattr(module, "NOTICE_S", {True: 0.3, False: 0.3})
    return module


@pytest.fixture
def kiosk(make_kiosk, monkeypatch, tmp_path, county, cert_module):
    from kiosk.signing import DeviceKey

    key = DeviceKey.load_or_create(tmp_path / "device.key")
    county.enroll_key(DEVICE_ID, key.public_key_b64())
    monkeypatch.setattr(conftest, "ui_config", lambda folder: county_config(folder, county.url))
    return make_kiosk()


def to_certificate(kiosk) -> None:
    """Choose the item, show the card, take the face: the session fetches (CERTIFICATE)."""
    session = kiosk.session
    item = next(i for i in kiosk.services.catalog.items if i.code == ITEM)
    kiosk.app.choose_item(item)
    session.start()
    session.identified_by_card(LI_XIAOMING)
    session.face_taken(Blob("image/jpeg", bytearray(b"\xff\xd8" + b"x" * 200)))
    assert session.state is State.CERTIFICATE
    kiosk.idle(2)
    assert kiosk.screen_name == "working"


def outcome(kiosk, cert_module, key: str) -> str:
    """The message the working screen shows, then the visit's end."""
    want = tr(key, "zh").split("{")[0]
    working = kiosk.app.manager.get_screen("working")
    kiosk.wait(lambda: want in working.message)
    assert not working.busy  # the spinner gives way to the message
    message = working.message
    kiosk.wait(lambda: kiosk.session.state is State.HOME, timeout=5)
    kiosk.idle(2)
    return message


def no_personal_data(kiosk) -> None:
    assert kiosk.session.applicant is None and kiosk.session.action is None
    working = kiosk.app.manager.get_screen("working")
    shown = " ".join(kiosk.texts(working)) + working.message
    for secret in (LI_XIAOMING.name, LI_XIAOMING.id_number, "李*明", "110105"):
        assert secret not in shown


def test_certificate_is_fetched_and_printed(kiosk, county, cert_module):
    county.certificates[(KIND, LI_XIAOMING.id_number)] = CERT
    changes = []
    kiosk.session.subscribe(changes.append)
    to_certificate(kiosk)
    assert "证明已打印" in outcome(kiosk, cert_module, "cert_printed")
    assert changes[-1].reason == "finished" and kiosk.screen_name == "home"
    [doc] = kiosk.devices["printer"].printed
    texts = [str(getattr(part, "text", "")) for part in doc.items]
    values = [str(getattr(part, "value", "")) for part in doc.items]
    assert "社会保险参保缴费证明" in texts and "累计缴费：137个月" in texts
    assert "ZZ7Q-4K2M-88" in values and "0371-68665010" in values  # verify code, identity foot
    assert len(county.requests_to("POST", "/certificates")) == 1
    no_personal_data(kiosk)


def test_no_record_is_told_plainly(kiosk, county, cert_module):
    changes = []
    kiosk.session.subscribe(changes.append)
    to_certificate(kiosk)
    message = outcome(kiosk, cert_module, "cert_no_record")
    assert "未查询到您的相关记录" in message and "返回首页" in message
    assert kiosk.app.manager.get_screen("working").title == "社会保险缴费证明打印"
    assert changes[-1].reason == "certificate_failed"
    assert kiosk.devices["printer"].printed == []
    no_personal_data(kiosk)


def test_backend_down_is_calm(kiosk, county, cert_module):
    county.stop()
    to_certificate(kiosk)
    message = outcome(kiosk, cert_module, "cert_unavailable")
    assert message.startswith("暂时无法获取证明，请稍后再试。")
    assert kiosk.devices["printer"].printed == []


def test_a_bad_answer_is_calm(kiosk, county, cert_module):
    county.certificates[(KIND, LI_XIAOMING.id_number)] = CERT
    county.fail("html", times=3)
    to_certificate(kiosk)
    assert outcome(kiosk, cert_module, "cert_unavailable")
    assert kiosk.devices["printer"].printed == []


def test_paper_out_mid_print(kiosk, county, cert_module):
    county.certificates[(KIND, LI_XIAOMING.id_number)] = CERT
    kiosk.devices["printer"].fail = PaperOut("paper out")
    to_certificate(kiosk)
    message = outcome(kiosk, cert_module, "cert_print_failed")
    assert "0371-68665010" in message and "paper" not in message


def test_printer_down_asks_no_county(kiosk, county, cert_module):
    county.certificates[(KIND, LI_XIAOMING.id_number)] = CERT
    kiosk.devices["printer"].set(DeviceState.OFFLINE)
    kiosk.idle(3)
    to_certificate(kiosk)
    assert "打印机暂时无法使用" in outcome(kiosk, cert_module, "cert_printer_down")
    assert county.requests_to("POST", "/certificates") == []


def test_the_client_is_made_once_and_shared(kiosk, county, cert_module):
    county.certificates[(KIND, LI_XIAOMING.id_number)] = CERT
    to_certificate(kiosk)
    outcome(kiosk, cert_module, "cert_printed")
    first = cert_module.county_client(kiosk.services)
    to_certificate(kiosk)
    outcome(kiosk, cert_module, "cert_printed")
    assert cert_module.county_client(kiosk.services) is first
    assert len(county.requests_to("POST", "/certificates")) == 2
