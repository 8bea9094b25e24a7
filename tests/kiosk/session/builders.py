"""Items, cards, blobs, a fake clock and a driver that walks a session to any state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from kiosk.catalog.model import Item
from kiosk.draft import Blob
from kiosk.session import FoundCase, QrIdentity, Session, State

S = State
CST = timezone(timedelta(hours=8))
TXN = "ZZ-EQ-0001-20261122-000042"
NAME, ID_NUMBER, ADDRESS = "欧阳小明", "110105194003050013", "河南省郑州市二七区大学路12号"

GUIDE = {
    "basis": ["《河南省高龄津贴发放管理办法》"], "conditions": ["年满80周岁的本地户籍老人"],
    "venues": [{"name": "大学路街道便民服务中心", "address": "大学路88号"}],
    "process": ["申请", "受理", "审核", "发放"], "time_limit": {"legal_days": 20, "promised_days": 10},
    "hours": "周一至周五 8:30-12:00 14:30-17:30", "consult": ["0371-68665010"],
    "supervise": "12345",
}

FULL_FIELDS = [
    {"name": "name", "label": "姓名", "type": "text", "prefill": "name"},
    {"name": "id_number", "label": "身份证号", "type": "id_number", "prefill": "id_number"},
    {"name": "address", "label": "住址", "type": "address", "prefill": "address"},
    {"name": "phone", "label": "联系电话", "type": "phone"},
    {"name": "note", "label": "备注", "type": "text", "required": False},
]
FULL_MATERIALS = [
    {"code": "hukou", "name": "户口簿", "pages": 2},
    {"code": "lease", "name": "租赁合同"},
    {"code": "extra", "name": "其他证明", "required": False},
]


def make_item(**changes: Any) -> Item:
    data: dict[str, Any] = {
        "code": "zz-full", "name": "房屋租赁备案", "version": "3", "category": "住房",
        "department": "区住房保障和房地产管理局", "identity_methods": ["id_card", "qr"],
        "face_photo": True, "signature": True, "fields": FULL_FIELDS,
        "materials": FULL_MATERIALS, "guide": GUIDE,
    }
    data.update(changes)
    return Item.model_validate(data)


FULL = make_item()
BARE = make_item(code="zz-bare", name="就业失业登记", face_photo=False, signature=False,
                 fields=[], materials=[])
ELDER = make_item(code="zz-gljt", name="高龄津贴申领", eligibility={"min_age": 80})
CERT = make_item(code="zz-ylqy", name="基本养老保险个人权益单", kind="certificate",
                 certificate_kind="pension-rights", face_photo=False, signature=False,
                 fields=[], materials=[])
APPT = make_item(code="zz-smdb", name="预约上门代办", kind="appointment", face_photo=False,
                 signature=False, materials=[],
                 fields=[FULL_FIELDS[0], FULL_FIELDS[3],
                         {"name": "visit_date", "label": "上门日期", "type": "date"}])


@dataclass
class Problem:
    code: str
    params: dict


def local_eligibility(item: Item, facts: Any, today: date) -> list[Problem]:
    """Enough of the rules to drive the machine: a minimum age and card expiry."""
    problems = []
    age = today.year - facts.birth.year - ((today.month, today.day) < (facts.birth.month, facts.birth.day))
    if item.eligibility.min_age is not None and age < item.eligibility.min_age:
        problems.append(Problem("too_young", {"item": item.name, "age": item.eligibility.min_age}))
    if isinstance(facts.valid_to, date) and facts.valid_to < today:
        problems.append(Problem("card_expired", {"day": facts.valid_to}))
    return problems


class LocalFormErrors(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def local_validate(item: Item, values: dict[str, Any]) -> dict[str, Any]:
    clean, errors = {}, {}
    for field in item.fields:
        value = str(values.get(field.name) or "").strip()
        if not value:
            if field.required:
                errors[field.name] = "required"
            continue
        clean[field.name] = value
    if errors:
        raise LocalFormErrors(errors)
    return clean


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.wall = datetime(2026, 11, 22, 10, 3, tzinfo=CST)

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return self.wall + timedelta(seconds=self.t - 1000.0)

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


def card(birth: str = "1940-03-05", valid_to: str = "长期", **changes: Any) -> dict[str, Any]:
    data = {"card_type": "resident", "name": NAME, "gender": "男", "nation": "汉",
            "birth": birth, "address": ADDRESS, "id_number": ID_NUMBER,
            "authority": "郑州市公安局二七分局", "valid_from": "2015-01-01", "valid_to": valid_to}
    data.update(changes)
    return data


def qr(**changes: Any) -> QrIdentity:
    data: dict[str, Any] = {"token": "EID:7f3a9c", "card_type": "resident", "name": NAME,
                            "gender": "男", "birth": date(1940, 3, 5), "id_number": ID_NUMBER}
    data.update(changes)
    return QrIdentity(**data)


def blob(fill: int = 0x5A, size: int = 64, content_type: str = "image/jpeg") -> Blob:
    return Blob(content_type, bytearray([fill]) * size)  # type: ignore[arg-type]


VALID_FORM = {"name": NAME, "id_number": ID_NUMBER, "address": ADDRESS, "phone": "13812345678"}


def found_case(txn_id: str = TXN, name: str = NAME, number: str = ID_NUMBER) -> FoundCase:
    """A case as a progress answer reports it (given unmasked here: the session masks)."""
    return FoundCase(txn_id, "高龄津贴申领", name, number)


def new_session(clock: FakeClock | None = None, **kw: Any) -> Session:
    clock = clock or FakeClock()
    return Session(eligibility=local_eligibility, validate_form=local_validate,
                   monotonic=clock.monotonic, wall=clock.now, **kw)


def take_all_materials(session: Session) -> None:
    assert session.item is not None
    for req in session.item.materials:
        if req.required:
            for _ in range(req.pages):
                session.material_taken(req.code, blob())


def drive_to(state: State, clock: FakeClock | None = None) -> Session:
    """A session in ``state``: the FULL item, the ELDER item for INELIGIBLE, CERT for
    CERTIFICATE, and IDLE_WARNING reached from FORM."""
    clock = clock or FakeClock()
    s = new_session(clock)
    if state is S.HOME:
        return s
    if state in (S.PROGRESS_QUERY, S.PROGRESS_LOOKUP, S.PROGRESS_RESULT):
        s.query_progress()
        if state is not S.PROGRESS_QUERY:
            s.progress_by_number(TXN)
        if state is S.PROGRESS_RESULT:
            s.progress_answered(1, [found_case()])
        return s
    if state is S.IDLE_WARNING:
        s = drive_to(S.FORM, clock)
        s.tick(clock.advance(s.idle_timeout_s))
        return s
    special = {S.INELIGIBLE: ELDER, S.CERTIFICATE: CERT}
    s.choose(special.get(state, FULL))
    if state is S.GUIDE:
        return s
    if state is S.GUIDE_PRINT:
        s.print_guide()
        return s
    s.start()
    if state is S.IDENTIFY:
        return s
    s.identified_by_card(card(birth="1990-06-01") if state is S.INELIGIBLE else card())
    steps = [(S.FACE, lambda: s.face_taken(blob(1))),
             (S.FORM, lambda: s.form_submitted(VALID_FORM)),
             (S.MATERIALS, lambda: (take_all_materials(s), s.materials_done())),
             (S.SIGNATURE, lambda: s.signed(blob(2, content_type="image/png"))),
             (S.CONFIRM, lambda: s.confirm(True)),
             (S.SUBMITTING, lambda: s.submitted(TXN, clock.now(), False)),
             (S.RECEIPT, lambda: s.receipt_printed(True))]
    for at, step in steps:
        if s.state is state:
            break
        assert s.state is at, (s.state, at)
        step()
    assert s.state is state, (s.state, state)
    return s
