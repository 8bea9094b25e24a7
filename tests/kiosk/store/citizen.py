"""A citizen and their transaction, as the session would hand it to the outbox.

The personal values are distinctive so that a byte search of the data folder finds them if
they were ever written in plain text, in any encoding.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

from kiosk.draft import Blob, MaterialBlob, TransactionDraft
from kiosk.wire import Applicant

NAME = "张小三"
ID_NUMBER = "110105194912310021"
ADDRESS = "北京市朝阳区望京街道花家地北里十二号楼"
PHONE = "13912345678"
CST = timezone(timedelta(hours=8))
DEVICE = "ZZ-EQ-0001"
# Inside every image: finding it on disk would mean an image was stored in plain text.
IMAGE_MARKER = b"PLAINTEXT-IMAGE-MARKER-7f3a9c"


def applicant() -> Applicant:
    return Applicant(id_type="resident", id_number=ID_NUMBER, name=NAME, gender="男", nation="汉",
                     birth=date(1949, 12, 31), address=ADDRESS, authority="北京市公安局朝阳分局",
                     valid_from=date(2015, 1, 1), valid_to="长期", phone=PHONE)


def image(content_type: str = "image/jpeg", size: int = 4096, fill: bytes | None = None) -> Blob:
    """An image with the marker; random unless ``fill`` (then equal images are equal blobs)."""
    head = b"\xff\xd8\xff\xe0" if content_type == "image/jpeg" else b"\x89PNG\r\n\x1a\n"
    rest = (fill * size)[:size] if fill is not None else os.urandom(size)
    return Blob(content_type, bytearray(head + IMAGE_MARKER + rest))


def draft(created_at: datetime | None = None, materials: int = 2, size: int = 4096,
          shared: Blob | None = None) -> TransactionDraft:
    mats = [MaterialBlob(f"m{i}", f"材料{i}", image(size=size)) for i in range(materials)]
    if shared is not None:
        mats.append(MaterialBlob("shared", "户口簿", Blob(shared.content_type, bytearray(shared.data))))
    return TransactionDraft(
        item_code="zz-gljt", item_version="3", item_name="高龄津贴申领", promised_days=5,
        identity_method="id_card", applicant=applicant(),
        created_at=created_at or datetime(2026, 11, 22, 10, 3, 0, tzinfo=CST),
        form={"phone": PHONE, "address": ADDRESS, "bank": "中国银行", "since": date(2020, 1, 1)},
        materials=mats, face_photo=image(size=size), signature=image("image/png", size=size))
