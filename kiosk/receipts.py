"""The papers the kiosk prints: 受理回执, 一次性告知单, and certificates (证明).

Each is a :class:`drivers.printer.Document`, rendered by the printer driver for its paper.
Whatever is personal is masked here, once (``张*三``, ``110105********002X``): the full
name and number never reach the document, so they cannot reach the paper or a log. Every
paper ends with the machine's identity card (设备身份证), so that whoever holds it knows
which machine printed it and whom to call.

Paper is Chinese whatever the screen's language (an official record), and its words live in
``kiosk/locale/zh/paper.toml``, read with :func:`_zh`. The only Chinese left here is data:
the catalog's units ``工作日`` and ``自然日``.

The promised date counts working days as Monday to Friday: the kiosk does not know the
official holidays and 调休 working weekends, so the county's ``promised_by`` (in the
transaction's acknowledgement) is the one to trust once the transaction is delivered.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from drivers.printer.document import Document
from kiosk.catalog.model import Item, MaterialRequirement
from kiosk.i18n import tr
from kiosk.identity import Identity
from kiosk.wire import Certificate, mask_id_number, mask_name

#: The item's kind → the key of its receipt's title.
KIND_TITLES = {"service": "paper_receipt", "bundle": "paper_receipt_bundle",
               "appointment": "paper_receipt_appointment", "certificate": "paper_receipt"}
#: The identity card's fields at the foot, in order → the key of each label.
FOOT_LABELS = {"name": "paper_device_name", "category": "paper_device_category",
               "maintainer": "paper_device_maintainer", "phone": "paper_device_phone",
               "location": "paper_device_location"}


def _zh(key: str, **values: object) -> str:
    """A printed string: always Chinese, whatever language the screen is in."""
    return tr(key, "zh", **values)


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


def identity_block(doc: Document, identity: Identity) -> Document:
    """The identity card's lines (设备身份证): its title, the device id and each field set."""
    doc.text(_zh("paper_identity"), align="center", bold=True)
    doc.kv(_zh("paper_device_id"), identity.device_id)
    for field, key in FOOT_LABELS.items():
        if getattr(identity, field):
            doc.kv(_zh(key), getattr(identity, field))
    return doc


def identity_foot(doc: Document, identity: Identity) -> Document:
    """The identity card at the foot of every paper, then the cut."""
    doc.rule()
    identity_block(doc, identity)
    doc.text(_zh("paper_complain"), align="left")
    doc.feed(1)
    return doc.cut()


def acceptance_receipt(txn_id: str, item: Item, applicant_name: str, applicant_id_number: str,
                       accepted_at: datetime, promised_by: date, identity: Identity,
                       delivered: bool) -> Document:
    """受理回执: what was handed in, its number and QR code, and by when it will be done."""
    limit = item.guide.time_limit
    doc = Document()
    doc.text(_zh(KIND_TITLES.get(item.kind, "paper_receipt")), align="center", bold=True,
             double_width=True, double_height=True)
    doc.rule()
    doc.kv(_zh("paper_item"), item.name)
    doc.kv(_zh("paper_department"), item.department)
    doc.kv(_zh("paper_number"), txn_id)
    doc.kv(_zh("paper_accepted"), local_time(accepted_at).strftime("%Y-%m-%d %H:%M:%S"))
    doc.kv(_zh("paper_applicant"), mask_name(applicant_name))
    doc.kv(_zh("paper_id_number"), mask_id_number(applicant_id_number))
    if limit.promised_days == 0:
        doc.kv(_zh("paper_promised"), _zh("paper_promised_now", day=_day(promised_by)))
    else:
        doc.kv(_zh("paper_promised"), _zh("paper_promised_days", day=_day(promised_by),
                                          n=limit.promised_days, unit=limit.unit))
    if not delivered:
        doc.rule()
        doc.text(_zh("paper_pending"), align="center", bold=True)
        doc.text(_zh("paper_pending_more"))
    doc.rule()
    doc.qr(txn_id)
    doc.text(_zh("paper_scan"), align="center")
    doc.text(_zh("paper_keep"), align="center")
    return identity_foot(doc, identity)


def guide_notice(item: Item, identity: Identity, printed_at: datetime | None = None) -> Document:
    """一次性告知单: the ten elements of the item's 办事指南, so the citizen need not come twice."""
    g = item.guide
    doc = Document()
    doc.text(_zh("paper_notice"), align="center", bold=True, double_width=True,
             double_height=True)
    doc.text(item.name, align="center", bold=True)
    doc.rule()
    doc.kv(_zh("paper_notice_department"), item.department)

    def section(key: str, lines: list[str], numbered: bool = True) -> None:
        doc.text(_zh("paper_section", title=_zh(key)), bold=True)
        for n, line in enumerate(lines, 1):
            doc.text(f"{n}. {line}" if numbered and len(lines) > 1 else line)

    section("paper_basis", g.basis)
    section("paper_conditions", g.conditions)
    materials = [_material(m) for m in item.materials]
    section("paper_materials", materials or [_zh("paper_no_materials")])
    section("paper_venues", [_zh("paper_venue_phone", name=v.name, address=v.address, phone=v.phone)
                             if v.phone else _zh("paper_venue", name=v.name, address=v.address)
                             for v in g.venues])
    section("paper_process", g.process)
    fee = (_zh("paper_fee_basis", fee=g.fees.standard, basis=g.fees.basis) if g.fees.basis
           else g.fees.standard)
    section("paper_fees", [fee])
    t = g.time_limit
    if t.legal_days:
        legal = _zh("paper_days", n=t.legal_days, unit=t.unit)
    else:
        legal = _zh("paper_legal_none") if t.promised_days else _zh("paper_instant")
    promised = (_zh("paper_days", n=t.promised_days, unit=t.unit) if t.promised_days
                else _zh("paper_instant_done"))
    section("paper_time_limit", [_zh("paper_legal", limit=legal),
                                 _zh("paper_promised_limit", limit=promised)], numbered=False)
    section("paper_hours", [g.hours])
    section("paper_consult", g.consult)
    section("paper_supervise", [g.supervise])
    if printed_at is not None:
        doc.rule()
        doc.kv(_zh("paper_printed_at"), local_time(printed_at).strftime("%Y-%m-%d %H:%M"))
    return identity_foot(doc, identity)


def _material(m: MaterialRequirement) -> str:
    """One line of 申请材料: its name, form and copies, whether optional, and its note."""
    key = "paper_material" if m.required else "paper_material_optional"
    line = _zh(key, name=m.name, form=m.form, copies=m.copies)
    return _zh("paper_material_note", material=line, note=m.note) if m.note else line


def certificate(cert: Certificate, identity: Identity) -> Document:
    """A certificate the county issued (权益单, 缴费证明): its lines, and the verify code
    as text and as a QR code, so anyone it is shown to can check it."""
    doc = Document()
    doc.text(cert.title, align="center", bold=True, double_height=True)
    doc.rule()
    for line in cert.lines:
        doc.text(line)
    doc.rule()
    doc.kv(_zh("paper_issued_at"), local_time(cert.issued_at).strftime("%Y-%m-%d %H:%M"))
    doc.kv(_zh("paper_verify_code"), cert.verify_code)
    doc.qr(cert.verify_code)
    doc.text(_zh("paper_verify"), align="center")
    return identity_foot(doc, identity)
