"""Receipts, rendered to ESC/POS for both papers and read back as a printer would print them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from drivers.printer import PAPER_58, PAPER_80, read_back, render
from kiosk.catalog.loader import load_shipped
from kiosk.receipts import acceptance_receipt, certificate, guide_notice, promised_date
from kiosk.wire import Certificate
from tests.kiosk.catalog.samples import IDENTITY, person_id

CATALOG = load_shipped()
ITEM = CATALOG.get("zz-gljt")
TXN = "ZZ-EQ-0001-20261122-000042"
NAME = "王秀英"
NUMBER = person_id("410103", date(1945, 3, 8), "002")
AT = datetime(2026, 11, 22, 14, 3, 27)
PAPERS = pytest.mark.parametrize("paper", [PAPER_80, PAPER_58], ids=["80mm", "58mm"])


def flat(text: str) -> str:
    """Printed text without the spaces and breaks that wrapping put in."""
    return "".join(text.split())


def receipt(delivered: bool, name: str = NAME, number: str = NUMBER):
    return acceptance_receipt(TXN, ITEM, name, number, AT, date(2026, 12, 4), IDENTITY, delivered)


@PAPERS
def test_acceptance_receipt_reads_back(paper) -> None:
    printout = read_back(render(receipt(delivered=True), paper))
    text = flat(printout.text)
    for expected in ("受理回执", "事项名称：高龄津贴申领", "受理部门：二七区民政局", f"受理编号：{TXN}",
                     "受理时间：2026-11-2214:03:27", "申请人：王*英", "证件号码：410103********0022",
                     "承诺办结：2026-12-04（10个工作日）"):
        assert expected in text, expected
    assert printout.qr_codes == [TXN]
    assert printout.cuts == 1
    assert "待上传" not in text


@PAPERS
def test_an_undelivered_receipt_says_so(paper) -> None:
    text = flat(read_back(render(receipt(delivered=False), paper)).text)
    assert "待上传" in text and "网络恢复后将自动上传" in text


@PAPERS
def test_the_identity_card_is_at_the_foot(paper) -> None:
    lines = read_back(render(receipt(delivered=False), paper)).nonblank()
    joined = flat("\n".join(lines))
    foot = joined.index("设备身份证")
    assert foot > joined.index("受理编号") and foot > joined.index("待上传")
    tail = joined[foot:]
    for expected in ("设备编号：ZZ-EQ-0001", "设备名称：政务服务自助一体机", "维护单位：二七区政务服务中心",
                     "联系电话：0371-68665010", "安放位置：五里堡街道便民服务中心一楼大厅", "12345"):
        assert expected in tail, expected


@PAPERS
@pytest.mark.parametrize("name", ["王秀英", "张三", "欧阳小明"])
def test_the_full_name_and_number_never_reach_the_paper(paper, name: str) -> None:
    data = render(receipt(delivered=False, name=name), paper)
    for encoding in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"):
        assert name.encode(encoding) not in data, encoding
        assert NUMBER.encode(encoding) not in data, encoding
    assert NUMBER[6:14] not in read_back(data).text  # the birth date is masked too


def test_an_aware_time_prints_in_the_kiosks_zone() -> None:
    utc = datetime(2026, 11, 22, 6, 3, 27, tzinfo=timezone.utc)
    doc = acceptance_receipt(TXN, ITEM, NAME, NUMBER, utc, date(2026, 12, 4), IDENTITY, True)
    shown = utc.astimezone().strftime("%Y-%m-%d%H:%M:%S")
    assert f"受理时间：{shown}" in flat(read_back(render(doc, PAPER_80)).text)


def test_an_instant_item_says_so() -> None:
    item = CATALOG.get("zz-jysydj")
    doc = acceptance_receipt(TXN, item, NAME, NUMBER, AT, date(2026, 11, 22), IDENTITY, True)
    assert "承诺办结：2026-11-22（即办件）" in flat(read_back(render(doc, PAPER_80)).text)


def test_an_appointment_has_its_own_title() -> None:
    doc = acceptance_receipt(TXN, CATALOG.get("zz-yysmdb"), NAME, NUMBER, AT, date(2026, 11, 24),
                             IDENTITY, True)
    assert read_back(render(doc, PAPER_80)).nonblank()[0].strip() == "预约回执"


def test_the_document_repr_shows_nothing_personal() -> None:
    assert NAME not in repr(receipt(True)) and NUMBER not in repr(receipt(True))


@PAPERS
@pytest.mark.parametrize("code", [item.code for item in CATALOG.items])
def test_guide_notice_holds_the_ten_elements(paper, code: str) -> None:
    item = CATALOG.get(code)
    doc = guide_notice(item, IDENTITY, printed_at=AT)
    printout = read_back(render(doc, paper))
    text = flat(printout.text)
    for heading in ("办理依据", "办理条件", "申请材料", "受理单位及办理点", "基本流程", "收费依据及标准",
                    "办理时限", "工作时间", "咨询方式", "监督电话"):
        assert f"【{heading}】" in text, heading
    assert flat(item.name) in text and flat(item.guide.basis[0]) in text
    for material in item.materials:
        assert flat(material.name) in text
    assert flat(item.guide.venues[0].address) in text and "12345" in text
    assert "设备身份证" in text[text.index("【监督电话】"):]
    assert printout.qr_codes == [] and printout.cuts == 1


def test_guide_notice_time_limits() -> None:
    text = flat(read_back(render(guide_notice(CATALOG.get("zz-gljt"), IDENTITY), PAPER_80)).text)
    assert "法定时限：20个工作日" in text and "承诺时限：10个工作日" in text
    text = flat(read_back(render(guide_notice(CATALOG.get("zz-jysydj"), IDENTITY), PAPER_80)).text)
    assert "法定时限：即办件" in text and "承诺时限：即时办结" in text
    text = flat(read_back(render(guide_notice(CATALOG.get("zz-yysmdb"), IDENTITY), PAPER_80)).text)
    assert "法定时限：法律法规未作规定" in text and "承诺时限：2个工作日" in text


@PAPERS
def test_certificate_prints_lines_and_verify_code(paper) -> None:
    cert = Certificate(kind="social-insurance-payment", title="郑州市社会保险参保缴费证明",
                       lines=["姓名：王*英", "证件号码：410103********0022", "参保险种：企业职工基本养老保险",
                              "缴费起止：2006年01月至2026年10月，累计缴费250个月"],
                       issued_at=datetime(2026, 11, 22, 14, 5, tzinfo=timezone(timedelta(hours=8))),
                       verify_code="ZZSB-7Q4K-2M9X-88TD")
    printout = read_back(render(certificate(cert, IDENTITY), paper))
    text = flat(printout.text)
    assert text.startswith("郑州市社会保险参保缴费证明")
    for line in cert.lines:
        assert flat(line) in text
    shown = cert.issued_at.astimezone().strftime("%Y-%m-%d%H:%M")  # the kiosk's own zone
    assert f"出具时间：{shown}" in text and "验证码：ZZSB-7Q4K-2M9X-88TD" in text
    assert printout.qr_codes == ["ZZSB-7Q4K-2M9X-88TD"]
    assert "设备编号：ZZ-EQ-0001" in text


@pytest.mark.parametrize("start, days, unit, expected", [
    (date(2026, 11, 20), 0, "工作日", date(2026, 11, 20)),  # Friday, 即办件
    (date(2026, 11, 20), 1, "工作日", date(2026, 11, 23)),  # Friday + 1 → Monday
    (date(2026, 11, 21), 1, "工作日", date(2026, 11, 23)),  # Saturday + 1 → Monday
    (date(2026, 11, 22), 0, "工作日", date(2026, 11, 22)),  # Sunday, 0 days: the day itself
    (date(2026, 11, 18), 5, "工作日", date(2026, 11, 25)),  # Wednesday + 5 → next Wednesday
    (date(2026, 11, 23), 10, "工作日", date(2026, 12, 7)),
    (date(2026, 12, 31), 3, "工作日", date(2027, 1, 5)),  # New Year's Day is not known: counted
    (date(2026, 11, 20), 3, "自然日", date(2026, 11, 23)),
    (date(2028, 2, 28), 1, "自然日", date(2028, 2, 29)),
])
def test_promised_date(start: date, days: int, unit: str, expected: date) -> None:
    assert promised_date(start, days, unit) == expected


def test_promised_date_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        promised_date(date(2026, 1, 1), -1)
    with pytest.raises(ValueError):
        promised_date(date(2026, 1, 1), 1, "月")


def test_paper_is_chinese_whatever_the_screen_language(monkeypatch) -> None:
    """Paper is an official record: the same bytes when the citizen chose English."""
    from types import SimpleNamespace

    from kiosk import i18n
    from kiosk.ui.services import Services

    def papers() -> list[bytes]:
        docs = [receipt(delivered=False), guide_notice(CATALOG.get("zz-yysmdb"), IDENTITY, AT),
                Services.test_page(SimpleNamespace(wall=lambda: AT, identity=IDENTITY))]
        return [render(doc, PAPER_80) for doc in docs]

    chinese = papers()
    monkeypatch.setattr(i18n, "_current", "en")
    assert papers() == chinese
    assert "打印测试页" in read_back(chinese[2]).text and "设备身份证" in read_back(chinese[2]).text
