"""Certificates (证明打印) from deterministic synthetic records, so demos print something
real-looking: 基本养老保险个人权益单 (``pension-rights``) and 社保缴费证明
(``social-insurance-payment``), the kinds the shipped catalog's certificate items name.

Everything is derived from a hash of the id number, so the same number always gives the
same record (only the months up to "now" grow). A number that fails GB 11643-1999 (length,
birth date, check character) has no record, and so does one valid number in ten: those
whose sequence code (digits 15-17) ends in 0, so the kiosk's "no record" path can be shown
with a number anyone can make. Names and
numbers on the printed lines are masked; no record is stored.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date
from typing import Any

from county.timefmt import local_date, stamp
from kiosk.catalog.forms import check_digit
from kiosk.wire import mask_id_number, mask_name

KINDS = {"pension-rights": "基本养老保险个人权益单", "social-insurance-payment": "社会保险参保缴费证明"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红玉梅德新文志海峰"
EMPLOYERS = ("郑州市二七区德化街商贸有限公司", "河南中原建设工程有限公司", "郑州嵩山路物业服务有限公司",
             "郑州市二七区人民医院", "河南豫通物流有限公司", "灵活就业人员")


def valid_id_number(number: str) -> bool:
    """GB 11643-1999: 17 digits and a check character, a real birth date from 1900 on."""
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return born.year >= 1900 and check_digit(number[:17]) == number[17]


def _seed(number: str) -> bytes:
    return hashlib.sha256(("county-synthetic-record|" + number).encode("ascii")).digest()


def has_record(number: str) -> bool:
    return valid_id_number(number) and int(number[14:17]) % 10 != 0


def _name(seed: bytes) -> str:
    return SURNAMES[seed[1] % len(SURNAMES)] + GIVEN[seed[2] % len(GIVEN)] + GIVEN[seed[3] % len(GIVEN)]


def _month_add(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _record(number: str, today: date) -> dict[str, Any]:
    seed = _seed(number)
    born = int(number[6:10])
    start_year = max(born + 18, 1995) + seed[4] % 12
    end_year, end_month = _month_add(today.year, today.month, -1)
    start_year = min(start_year, end_year - 1)
    start_month = 1 + seed[5] % 12
    months = max(1, (end_year * 12 + end_month) - (start_year * 12 + start_month) + 1)
    base = 3500 + (seed[6] % 30) * 100
    return {"name": _name(seed), "employer": EMPLOYERS[seed[7] % len(EMPLOYERS)], "start": (start_year, start_month),
            "end": (end_year, end_month), "months": months, "base": base,
            "account": round(months * base * 0.08 * (1 + (seed[8] % 20) / 100), 2)}


def _ym(pair: tuple[int, int]) -> str:
    return f"{pair[0]}年{pair[1]:02d}月"


def _lines(kind: str, number: str, rec: dict[str, Any]) -> list[str]:
    head = [f"姓名：{mask_name(rec['name'])}", f"公民身份号码：{mask_id_number(number)}", "参保地：郑州市二七区"]
    if kind == "pension-rights":
        return head + [
            "险种：企业职工基本养老保险",
            "参保状态：正常参保",
            f"首次参保：{_ym(rec['start'])}",
            f"累计缴费月数：{rec['months']}个月",
            f"当前缴费基数：{rec['base']}元/月",
            f"个人账户储存额：{_money(rec['account'])}元",
            f"记录截至：{_ym(rec['end'])}",
        ]
    lines = head + [f"参保单位：{rec['employer']}", f"缴费起止：{_ym(rec['start'])}至{_ym(rec['end'])}",
                    f"累计缴费：{rec['months']}个月", "近六个月缴费明细（元）："]
    for back in range(min(6, rec["months"]) - 1, -1, -1):
        month = _month_add(rec["end"][0], rec["end"][1], -back)
        base = rec["base"]
        lines.append(f"{_ym(month)} 基数{base} 养老{_money(base * 0.08)} 医疗{_money(base * 0.02)} "
                     f"失业{_money(base * 0.003)}")
    return lines + ["以上信息由社会保险经办机构提供，仅证明参保缴费情况。"]


def certificate(kind: str, number: str, now: float) -> dict[str, Any] | None:
    """The contract's certificate body, or None (404 ``no_record``)."""
    number = number.replace(" ", "").upper()
    if kind not in KINDS or not has_record(number):
        return None
    today = local_date(now)
    rec = _record(number, today)
    digest = hashlib.sha256(f"{kind}|{number}|{today.isoformat()}".encode("ascii")).digest()
    code = base64.b32encode(digest[:10]).decode("ascii")
    return {"kind": kind, "title": KINDS[kind], "lines": _lines(kind, number, rec), "issued_at": stamp(now),
            "verify_code": "-".join(code[i:i + 4] for i in range(0, 16, 4))}
