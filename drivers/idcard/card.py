"""Decoding (and, for the emulator and tests, encoding) what a reader reads off a card.

A read reply's payload starts with big-endian lengths — text, photo (and fingerprint for
``30 10``) — followed by the parts. The lengths are parsed, never assumed. The text is
256 bytes of UTF-16LE padded with spaces, in one of four layouts told apart by the
character at byte 248 (field widths in bytes):

- resident card (blank at 248): name 30, gender 2, nation 4, birth 16, address 70,
  number 36, authority 30, valid from 16, valid to 16 (``长期`` allowed), reserved 36;
- ``J`` Hong Kong/Macao/Taiwan residence permit: the resident fields (nation blank),
  pass number 18, issue count 4, reserved 6, ``J`` 2, reserved 6;
- ``I`` foreigner's permanent residence card (2017): English name 120, gender 2, permit
  number 30, nationality 6, Chinese name 30, valid from 16, valid to 16, birth 16,
  card version 4, authority code 8, ``I`` 2, reserved 6;
- ``Y`` foreigner's permanent residence card (2023): Chinese name 30, gender 2, renewal
  count 4, birth 16, English name 70 (characters 1-35), number 36, reserved 30, valid
  from 16, valid to 16, English name 22 (characters 36-46), nationality 6, ``Y`` 2,
  link to the previous card's number 6 (layout after the vendors' SDK headers, which
  follow the 2023 机读信息规则).

The 1024-byte photo is WLT, which only the ministry's library decodes: it stays bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from drivers.errors import CodecError
from drivers.idcard.codes import (
    GENDERS,
    NATION_CODES,
    CardDateError,
    CardFieldError,
    format_date,
    gender_name,
    mask_name,
    mask_number,
    nation_name,
    parse_date,
    parse_valid_to,
    verify_id18,
)

TEXT_SIZE = 256
TYPE_OFFSET = 248

RESIDENT = "resident"
HMT_RESIDENCE = "hmt_residence"
FOREIGN_PERMANENT = "foreign_permanent"
FOREIGN_PERMANENT_2023 = "foreign_permanent_2023"
CARD_TYPES = (RESIDENT, HMT_RESIDENCE, FOREIGN_PERMANENT, FOREIGN_PERMANENT_2023)
_TYPE_MARKS = {"J": HMT_RESIDENCE, "I": FOREIGN_PERMANENT, "Y": FOREIGN_PERMANENT_2023}
_MARK_OF = {v: k for k, v in _TYPE_MARKS.items()}

_COMMON = [("name", 30), ("gender", 2), ("nation", 4), ("birth", 16), ("address", 70),
           ("id_number", 36), ("authority", 30), ("valid_from", 16), ("valid_to", 16)]
LAYOUTS: dict[str, list[tuple[str, int]]] = {
    RESIDENT: _COMMON + [("_reserved", 36)],
    HMT_RESIDENCE: _COMMON + [("pass_number", 18), ("issue_count", 4), ("_reserved", 6),
                              ("_type", 2), ("_reserved2", 6)],
    FOREIGN_PERMANENT: [("english_name", 120), ("gender", 2), ("id_number", 30), ("nationality", 6),
                        ("chinese_name", 30), ("valid_from", 16), ("valid_to", 16), ("birth", 16),
                        ("card_version", 4), ("authority", 8), ("_type", 2), ("_reserved", 6)],
    FOREIGN_PERMANENT_2023: [("chinese_name", 30), ("gender", 2), ("issue_count", 4), ("birth", 16),
                             ("english_name", 70), ("id_number", 36), ("_reserved", 30),
                             ("valid_from", 16), ("valid_to", 16), ("english_name_2", 22),
                             ("nationality", 6), ("_type", 2), ("previous_link", 6)],
}
assert all(sum(w for _, w in layout) == TEXT_SIZE for layout in LAYOUTS.values())


class CardTypeError(CardFieldError):
    code = "card_type"


@dataclass(frozen=True, eq=True)
class IdCard:
    """One card as read. Dates are ``datetime.date``; ``valid_to`` may be ``"长期"``.

    ``name`` is the name to address the holder by: the Chinese name, or on a foreign
    card without one, the English name (``english_name`` always holds that).
    ``gender`` and ``nation`` are names (``男``, ``汉``). ``photo`` is the opaque WLT.
    """

    card_type: str
    name: str
    gender: str
    birth: date
    id_number: str
    valid_from: date
    valid_to: date | str
    address: str = ""
    nation: str | None = None
    authority: str = ""
    english_name: str | None = None
    nationality: str | None = None
    pass_number: str | None = None
    issue_count: int | None = None
    card_version: str | None = None
    previous_link: str | None = None
    photo: bytes = field(default=b"", compare=False)
    fingerprint: bytes | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return (f"IdCard(card_type={self.card_type!r}, name={mask_name(self.name)!r}, "
                f"id_number={mask_number(self.id_number)!r})")

    __str__ = __repr__

    @property
    def gender_code(self) -> str:
        return {v: k for k, v in GENDERS.items()}[self.gender]

    @property
    def nation_code(self) -> str | None:
        return None if self.nation is None else NATION_CODES[self.nation]

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_number(self) -> str:
        return mask_number(self.id_number)

    def is_expired(self, today: date) -> bool:
        """True once ``today`` is past the last valid day; a ``长期`` card never expires."""
        return not isinstance(self.valid_to, str) and today > self.valid_to

    def to_dict(self, include_photo: bool = False) -> dict[str, Any]:
        """The JSON form: dates ``YYYY-MM-DD`` (or ``长期``); extras only when the type has them."""
        out: dict[str, Any] = {
            "card_type": self.card_type,
            "name": self.name,
            "gender": self.gender,
            "nation": self.nation,
            "birth": self.birth.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to if isinstance(self.valid_to, str) else self.valid_to.isoformat(),
        }
        for key in ("english_name", "nationality", "pass_number", "issue_count", "card_version",
                    "previous_link"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["photo_size"] = len(self.photo)
        if include_photo:
            out["photo_wlt"] = base64.b64encode(self.photo).decode("ascii")
        return out


# -- decoding -------------------------------------------------------------------------
def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-16-le")
    except UnicodeDecodeError as err:
        raise CardFieldError(f"{what} is not valid UTF-16LE") from err


def _fields(text: bytes, layout: list[tuple[str, int]]) -> dict[str, str]:
    out: dict[str, str] = {}
    offset = 0
    for name, width in layout:
        out[name] = _text(text[offset:offset + width], name)
        offset += width
    return out


def _clean(value: str) -> str:
    return value.rstrip(" \x00")


def card_type_of(text: bytes) -> str:
    """Which layout a 256-byte text uses, from the character at byte 248."""
    mark = _text(text[TYPE_OFFSET:TYPE_OFFSET + 2], "card type mark")
    if mark in _TYPE_MARKS:
        return _TYPE_MARKS[mark]
    if mark in (" ", "\x00"):
        return RESIDENT
    raise CardTypeError(f"unknown card type mark {mark!r}")


def _count(value: str, what: str) -> int:
    if not re.fullmatch(r"[0-9]{1,2}", value):
        raise CardFieldError(f"{what} is not a number")
    return int(value)


def _required(value: str, what: str) -> str:
    if not value:
        raise CardFieldError(f"{what} is empty")
    return value


def _check_period(valid_from: date, valid_to: date | str) -> None:
    if not isinstance(valid_to, str) and valid_to < valid_from:
        raise CardDateError("valid-to date is before the valid-from date")


def decode_text(text: bytes, photo: bytes = b"", fingerprint: bytes | None = None) -> IdCard:
    """Decode a card's 256-byte text (any of the four layouts) into an :class:`IdCard`."""
    if len(text) < TEXT_SIZE:
        raise CardFieldError(f"card text of {len(text)} bytes, expected {TEXT_SIZE}")
    text = bytes(text[:TEXT_SIZE])
    kind = card_type_of(text)
    raw = _fields(text, LAYOUTS[kind])
    f = {k: _clean(v) for k, v in raw.items()}
    gender = gender_name(f["gender"])
    birth = parse_date(f["birth"], "birth date")
    valid_from = parse_date(f["valid_from"], "valid-from date")
    valid_to = parse_valid_to(f["valid_to"])
    _check_period(valid_from, valid_to)
    number = f["id_number"]
    common = dict(card_type=kind, gender=gender, birth=birth, id_number=number, valid_from=valid_from,
                  valid_to=valid_to, photo=bytes(photo),
                  fingerprint=None if fingerprint is None else bytes(fingerprint))

    if kind in (RESIDENT, HMT_RESIDENCE):
        if verify_id18(number) != birth:
            raise CardFieldError("birth date differs from the one in the ID number")
        name = _required(f["name"], "name")
        if kind == RESIDENT:
            return IdCard(name=name, nation=nation_name(f["nation"]), address=f["address"],
                          authority=f["authority"], **common)
        if not re.fullmatch(r"8[123][0-9X]*", number):
            raise CardFieldError("an HMT residence permit number starts with 81, 82 or 83")
        return IdCard(name=name, address=f["address"], authority=f["authority"],
                      pass_number=_required(f["pass_number"], "pass number"),
                      issue_count=_count(f["issue_count"], "issue count"), **common)

    nationality = f["nationality"]
    if not re.fullmatch(r"[A-Z0-9]{3}", nationality):
        raise CardFieldError("nationality is not a three-character code")
    if kind == FOREIGN_PERMANENT:
        if not re.fullmatch(r"[A-Z]{3}[0-9]{12}", number):
            raise CardFieldError("a 2017 permanent residence number is 3 letters and 12 digits")
        english = _required(f["english_name"], "English name")
        return IdCard(name=f["chinese_name"] or english, english_name=english, nationality=nationality,
                      card_version=f["card_version"], authority=f["authority"], **common)

    if not number.startswith("9") or verify_id18(number) != birth:
        raise CardFieldError("a 2023 permanent residence number starts with 9 and holds the birth date")
    english = _required(_clean(raw["english_name"] + raw["english_name_2"]), "English name")
    return IdCard(name=f["chinese_name"] or english, english_name=english, nationality=nationality,
                  issue_count=_count(f["issue_count"], "renewal count"), previous_link=f["previous_link"],
                  **common)


def split_read_payload(payload: bytes, with_fingerprint: bool = False) -> tuple[bytes, bytes, bytes | None]:
    """Cut a read reply's payload into text, photo (and fingerprint) by its length fields."""
    count = 3 if with_fingerprint else 2
    head = 2 * count
    if len(payload) < head:
        raise CodecError(f"read reply of {len(payload)} bytes has no length fields")
    lengths = [int.from_bytes(payload[2 * i:2 * i + 2], "big") for i in range(count)]
    if head + sum(lengths) != len(payload):
        raise CodecError(f"read reply lengths {lengths} do not add up to {len(payload) - head} bytes")
    parts: list[bytes] = []
    offset = head
    for length in lengths:
        parts.append(bytes(payload[offset:offset + length]))
        offset += length
    return parts[0], parts[1], parts[2] if with_fingerprint else None


def decode_read_payload(payload: bytes, with_fingerprint: bool = False) -> IdCard:
    """The card in a ``30 01`` (or, with ``with_fingerprint``, ``30 10``) reply payload."""
    text, photo, fingerprint = split_read_payload(payload, with_fingerprint)
    return decode_text(text, photo, fingerprint)


def decode_appended_address(payload: bytes) -> str:
    """The address a police station appended after a move (``30 03``), 70 bytes UTF-16LE."""
    if len(payload) % 2:
        raise CardFieldError("appended address has an odd number of bytes")
    return _clean(_text(payload, "appended address"))


# -- encoding (emulator and tests) ----------------------------------------------------
def _put(value: str, width: int, what: str) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > width:
        raise CardFieldError(f"{what} does not fit in {width} bytes")
    return raw + " ".encode("utf-16-le") * ((width - len(raw)) // 2)


def _chinese_name(card: IdCard) -> str:
    return "" if card.name == card.english_name else card.name


def _split_utf16(text: str, width: int) -> tuple[str, str]:
    """Cut ``text`` where its first ``width`` bytes of UTF-16LE end (a character outside the
    BMP takes four), as the 2023 card splits the English name over two fields."""
    used = 0
    for i, char in enumerate(text):
        used += 4 if ord(char) > 0xFFFF else 2
        if used > width:
            return text[:i], text[i:]
    return text, ""


def encode_text(card: IdCard) -> bytes:
    """The 256 bytes a card holds, in the layout of ``card.card_type``."""
    values: dict[str, str] = {
        "name": card.name,
        "gender": card.gender_code,
        "nation": card.nation_code or "",
        "birth": format_date(card.birth),
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        "valid_from": format_date(card.valid_from),
        "valid_to": format_date(card.valid_to),
        "pass_number": card.pass_number or "",
        "issue_count": "" if card.issue_count is None else f"{card.issue_count:02d}",
        "nationality": card.nationality or "",
        "chinese_name": _chinese_name(card),
        "card_version": card.card_version or "",
        "previous_link": card.previous_link or "",
        "_type": _MARK_OF.get(card.card_type, " "),
    }
    english = card.english_name or ""
    values["english_name"] = english
    if card.card_type == FOREIGN_PERMANENT_2023:
        values["english_name"], values["english_name_2"] = _split_utf16(english, 70)
    out = bytearray()
    for name, width in LAYOUTS[card.card_type]:
        out += _put(values.get(name, ""), width, name)
    return bytes(out)


def encode_read_payload(card: IdCard, with_fingerprint: bool = False) -> bytes:
    """A read reply's payload: the length fields, then text, photo (and fingerprint)."""
    parts = [encode_text(card), card.photo]
    if with_fingerprint:
        parts.append(card.fingerprint or b"")
    return b"".join(len(p).to_bytes(2, "big") for p in parts) + b"".join(parts)


def encode_appended_address(address: str) -> bytes:
    return _put(address, 70, "appended address")
