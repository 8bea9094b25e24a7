"""Synthetic cards for the emulator, the demo and the tests.

Every person here is made up. The numbers carry valid GB 11643 check digits and the
birth dates they hold, so the decoder accepts them exactly as it would a real card.
The photos are stand-in bytes of a WLT's size, not images.
"""

from __future__ import annotations

import hashlib
from datetime import date

from drivers.idcard.card import (
    FOREIGN_PERMANENT,
    FOREIGN_PERMANENT_2023,
    HMT_RESIDENCE,
    RESIDENT,
    IdCard,
)
from drivers.idcard.codes import LONG_TERM

PHOTO_SIZE = 1024
FINGERPRINT_SIZE = 1024


def fake_blob(seed: str, size: int) -> bytes:
    """Deterministic stand-in bytes (a WLT photo or fingerprint template)."""
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return out[:size]


def _resident(name: str, gender: str, nation: str, birth: date, address: str, number: str,
              authority: str, valid_from: date, valid_to: date | str, **extra) -> IdCard:
    return IdCard(card_type=RESIDENT, name=name, gender=gender, nation=nation, birth=birth,
                  address=address, id_number=number, authority=authority, valid_from=valid_from,
                  valid_to=valid_to, photo=fake_blob(number, PHOTO_SIZE), **extra)


LI_XIAOMING = _resident("李小明", "男", "汉", date(1990, 3, 7), "北京市朝阳区光华路10号院1号楼2单元301室",
                        "110105199003071239", "北京市公安局朝阳分局", date(2015, 6, 1), date(2035, 6, 1))

#: 𠮷 (U+20BB7) lies outside the BMP: two UTF-16 code units on the card.
WANG_JI = _resident("王𠮷", "女", "满", date(1985, 6, 15), "辽宁省沈阳市和平区南京北街88号",
                    "210102198506154028", "沈阳市公安局和平分局", date(2019, 4, 20), date(2039, 4, 20))

AYGUL = _resident("阿依古丽·买买提", "女", "维吾尔", date(1992, 2, 28), "新疆乌鲁木齐市天山区解放南路26号",
                  "650102199202281622", "乌鲁木齐市公安局天山区分局", date(2012, 3, 1), date(2032, 3, 1))

EXPIRED = _resident("周建国", "男", "汉", date(1970, 1, 1), "广东省深圳市福田区深南中路1000号",
                    "440306197001015510", "深圳市公安局福田分局", date(2000, 5, 10), date(2020, 5, 10))

LONG_TERM_CARD = _resident("陈德华", "男", "回", date(1950, 4, 12), "上海市浦东新区世纪大道200弄5号",
                           "310115195004120030", "上海市公安局浦东分局", date(2010, 8, 8), LONG_TERM)

#: An 84-year-old resident of 二七区 (Zhengzhou): eligible for 高龄津贴; the guided tour's citizen.
ZHANG_GUIYING = _resident("张桂英", "女", "汉", date(1942, 5, 18),
                          "河南省郑州市二七区大学路街道大学中路36号院3号楼1单元502室",
                          "410103194205180025", "郑州市公安局二七分局", date(2012, 7, 1), LONG_TERM)

WITH_FINGERPRINT = IdCard(
    card_type=RESIDENT, name="林晓", gender="女", nation="壮", birth=date(2000, 2, 29),
    address="广东省广州市越秀区中山五路33号", id_number="440106200002291123",
    authority="广州市公安局越秀分局", valid_from=date(2018, 9, 1), valid_to=date(2028, 9, 1),
    photo=fake_blob("440106200002291123", PHOTO_SIZE),
    fingerprint=fake_blob("fp:440106200002291123", FINGERPRINT_SIZE))

HMT = IdCard(
    card_type=HMT_RESIDENCE, name="陈大文", gender="男", birth=date(1988, 8, 8),
    address="广东省深圳市南山区科技园南区8栋", id_number="810000198808082035",
    authority="深圳市公安局南山分局", valid_from=date(2024, 1, 15), valid_to=date(2029, 1, 15),
    pass_number="H12345678", issue_count=2, photo=fake_blob("810000198808082035", PHOTO_SIZE))

FOREIGN_2017 = IdCard(
    card_type=FOREIGN_PERMANENT, name="安娜", english_name="MUELLER, ANNA MARIA", gender="女",
    birth=date(1989, 7, 25), id_number="DEU110089072512", nationality="DEU", authority="1100",
    card_version="17", valid_from=date(2018, 1, 10), valid_to=date(2028, 1, 10),
    photo=fake_blob("DEU110089072512", PHOTO_SIZE))

#: A 44-letter English name: it spills from the 35-character field into the second one.
FOREIGN_2023 = IdCard(
    card_type=FOREIGN_PERMANENT_2023, name="马克",
    english_name="WILLIAMS-ALEXANDER, MARK JONATHAN CHRISTOPH", gender="男",
    birth=date(1985, 11, 2), id_number="911840198511020019", nationality="USA", issue_count=0,
    previous_link="USA", valid_from=date(2024, 3, 1), valid_to=date(2034, 3, 1),
    photo=fake_blob("911840198511020019", PHOTO_SIZE))

SAMPLES: dict[str, IdCard] = {
    "resident": LI_XIAOMING,
    "rare_char": WANG_JI,
    "middle_dot": AYGUL,
    "expired": EXPIRED,
    "long_term": LONG_TERM_CARD,
    "fingerprint": WITH_FINGERPRINT,
    "hmt": HMT,
    "foreign_2017": FOREIGN_2017,
    "foreign_2023": FOREIGN_2023,
}
