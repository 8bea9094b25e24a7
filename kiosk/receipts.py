"""The papers the kiosk prints: 受理回执, 一次性告知单, and certificates (证明).

Each is a :class:`drivers.printer.Document`, rendered by the printer driver for its paper.
Whatever is personal is masked here, once (``张*三``, ``110105********002X``): the full
name and number never reach the document, so they cannot reach the paper or a log. Every
paper ends with the machine's identity card (设备身份证), so that whoever holds it knows
which machine printed it and whom to call.

The promised date counts working days as Monday to Friday: the kiosk does not know the
official holidays and 调休 working weekends, so the county's ``promised_by`` (in the
transaction's acknowledgement) is the one to trust once the transaction is delivered.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from drivers.printer.document import Document
from kiosk.catalog.model import Item
from kiosk.identity import Identity
from kiosk.wire import Certificate, mask_id_number, mask_name

KIND_TITLES = {"service": "受理回执", "bundle": "受理回执（一件事）", "appointment": "预约回执",
               "certificate": "受理回执"}


def promised_date(accepted_at: date, days: int, unit: str = "工作日") -> date:
    """The day a case is promised by: ``days`` after ``accepted_at``, counting only Monday
    to Friday for 工作日 (holidays are not known here), every day for 自然日. Zero days
    (即办件) is the day itself."""
    if days < 0:
        raise ValueError("days must not be negative")
    if unit == "自然日":
        return accepted_at + timedelta(days=days)
    if unit != "工作日":
        raise ValueError(f"unknown unit {unit!r}")
    day = accepted_at
    left = days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _day(d: date) -> str:
    return d.strftime("%Y-%m-%d")


def local_time(moment: datetime) -> datetime:
    """A time as the citizen reads it: an aware time (a backend's answer, perhaps in UTC)
    in the kiosk's own zone; a naive time is taken to be local already."""
    return moment.astimezone() if moment.tzinfo is not None else moment


def identity_foot(doc: Document, identity: Identity) -> Document:
    """The identity card at the foot of every paper, then the cut."""
    doc.rule()
    doc.text("设备身份证", align="center", bold=True)
    doc.kv("设备编号", identity.device_id)
    for label, value in identity.card_lines():
        doc.kv(label, value)
    doc.text("本机故障或对服务有意见，请拨打上方电话，或拨打12345热线。", align="left")
    doc.feed(1)
    return doc.cut()


def acceptance_receipt(txn_id: str, item: Item, applicant_name: str, applicant_id_number: str,
                       accepted_at: datetime, promised_by: date, identity: Identity,
                       delivered: bool) -> Document:
    """受理回执: what was handed in, its number and QR code, and by when it will be done."""
    limit = item.guide.time_limit
    doc = Document()
    doc.text(KIND_TITLES.get(item.kind, "受理回执"), align="center", bold=True,
             double_width=True, double_height=True)
    doc.rule()
    doc.kv("事项名称", item.name)
    doc.kv("受理部门", item.department)
    doc.kv("受理编号", txn_id)
    doc.kv("受理时间", local_time(accepted_at).strftime("%Y-%m-%d %H:%M:%S"))
    doc.kv("申请人", mask_name(applicant_name))
    doc.kv("证件号码", mask_id_number(applicant_id_number))
    if limit.promised_days == 0:
        doc.kv("承诺办结", f"{_day(promised_by)}（即办件）")
    else:
        doc.kv("承诺办结", f"{_day(promised_by)}（{limit.promised_days}个{limit.unit}）")
    if not delivered:
        doc.rule()
        doc.text("待上传", align="center", bold=True)
        doc.text("您的申请已安全保存在本机，网络恢复后将自动上传，无需重复提交。"
                 "上传前进度查询可能暂时查不到，请稍后再查。")
    doc.rule()
    doc.qr(txn_id)
    doc.text("扫码或凭受理编号查询办理进度、评价服务", align="center")
    doc.text("请妥善保管本回执。", align="center")
    return identity_foot(doc, identity)


def guide_notice(item: Item, identity: Identity, printed_at: datetime | None = None) -> Document:
    """一次性告知单: the ten elements of the item's 办事指南, so the citizen need not come twice."""
    g = item.guide
    doc = Document()
    doc.text("一次性告知单", align="center", bold=True, double_width=True, double_height=True)
    doc.text(item.name, align="center", bold=True)
    doc.rule()
    doc.kv("实施部门", item.department)

    def section(title: str, lines: list[str], numbered: bool = True) -> None:
        doc.text(f"【{title}】", bold=True)
        for n, line in enumerate(lines, 1):
            doc.text(f"{n}. {line}" if numbered and len(lines) > 1 else line)

    section("办理依据", g.basis)
    section("办理条件", g.conditions)
    materials = [f"{m.name}（{m.form}{m.copies}份{'' if m.required else '，如有'}）"
                 + (f"：{m.note}" if m.note else "") for m in item.materials]
    section("申请材料", materials or ["无需提交纸质材料，凭本人身份证件办理。"])
    section("受理单位及办理点", [f"{v.name}：{v.address}" + (f"，电话{v.phone}" if v.phone else "")
                             for v in g.venues])
    section("基本流程", g.process)
    fee = g.fees.standard + (f"（依据：{g.fees.basis}）" if g.fees.basis else "")
    section("收费依据及标准", [fee])
    t = g.time_limit
    if t.legal_days:
        legal = f"{t.legal_days}个{t.unit}"
    else:
        legal = "法律法规未作规定" if t.promised_days else "即办件"
    promised = f"{t.promised_days}个{t.unit}" if t.promised_days else "即时办结"
    section("办理时限", [f"法定时限：{legal}", f"承诺时限：{promised}"], numbered=False)
    section("工作时间", [g.hours])
    section("咨询方式", g.consult)
    section("监督电话", [g.supervise])
    if printed_at is not None:
        doc.rule()
        doc.kv("打印时间", local_time(printed_at).strftime("%Y-%m-%d %H:%M"))
    return identity_foot(doc, identity)


def certificate(cert: Certificate, identity: Identity) -> Document:
    """A certificate the county issued (权益单, 缴费证明): its lines, and the verify code
    as text and as a QR code, so anyone it is shown to can check it."""
    doc = Document()
    doc.text(cert.title, align="center", bold=True, double_height=True)
    doc.rule()
    for line in cert.lines:
        doc.text(line)
    doc.rule()
    doc.kv("出具时间", local_time(cert.issued_at).strftime("%Y-%m-%d %H:%M"))
    doc.kv("验证码", cert.verify_code)
    doc.qr(cert.verify_code)
    doc.text("扫码或凭验证码核验本证明真伪", align="center")
    return identity_foot(doc, identity)
