"""Who is applying: an ID card reading or a resolved QR identity, turned into the
``wire.Applicant`` the county expects, the facts eligibility needs, and form prefills.

The session never keeps the card reading itself (nor its WLT photo): it converts at once
and keeps only the ``Applicant``, which it drops when the visit ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from kiosk.catalog.model import Item
from kiosk.session.states import InputError
from kiosk.wire import Applicant, mask_id_number, mask_name

#: Card type (as ``drivers.idcard`` and the catalog name it) → ``applicant.id_type``.
ID_TYPES = {
    "resident": "resident",
    "hmt_residence": "hmt_residence",
    "foreign_permanent": "foreign_permanent",
    "foreign_permanent_2023": "foreign_permanent",
}

_CARD_KEYS = ("card_type", "name", "gender", "nation", "birth", "address", "id_number",
              "authority", "valid_from", "valid_to")


@dataclass(repr=False)
class QrIdentity:
    """An identity proven by scanning the citizen's 电子身份证 / 电子社保卡 QR code.

    Assumption: the QR code carries only a short-lived token. A real deployment resolves
    it with the province's 电子证照 service (an online call, the UI's business, not the
    session's); the caller hands the session the token together with the resolved facts.
    The session keeps neither the token nor this object once the applicant is built.
    """

    token: str
    card_type: str
    name: str
    gender: str
    birth: date
    id_number: str
    nation: str = ""
    address: str = ""
    authority: str = ""
    valid_from: date | None = None
    valid_to: date | Literal["长期"] | None = None

    def __repr__(self) -> str:
        return f"QrIdentity(card_type={self.card_type!r}, <masked>)"


@dataclass(frozen=True, repr=False)
class Facts:
    """What eligibility needs (the shape ``kiosk.catalog.eligibility.check`` reads)."""

    card_type: str
    birth: date
    valid_to: date | Literal["长期"] | None
    id_number: str

    def __repr__(self) -> str:
        return f"Facts(card_type={self.card_type!r}, <masked>)"


def _read(card: Any) -> dict[str, Any]:
    if isinstance(card, Mapping):
        return {key: card.get(key) for key in _CARD_KEYS}
    return {key: getattr(card, key, None) for key in _CARD_KEYS}


def _day(value: Any, allow_long: bool = False) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if allow_long and value == "长期":
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError("bad_card") from None


def applicant_from(card: Any) -> tuple[Applicant, Facts]:
    """The applicant and eligibility facts from a card reading: an ``IdCard``, its
    ``to_dict()`` form, a ``QrIdentity``, or any object or mapping with those keys.
    :class:`InputError` (``bad_card`` / ``unknown_card_type``) when it does not fit."""
    raw = _read(card)
    card_type = raw["card_type"] or "resident"
    if card_type not in ID_TYPES:
        raise InputError("unknown_card_type")
    birth = _day(raw["birth"])
    valid_to = _day(raw["valid_to"], allow_long=True)
    try:
        applicant = Applicant(
            id_type=ID_TYPES[card_type],  # type: ignore[arg-type]
            id_number=str(raw["id_number"] or "").strip(),
            name=str(raw["name"] or "").strip(),
            gender=raw["gender"],
            nation=str(raw["nation"] or ""),
            birth=birth,
            address=str(raw["address"] or ""),
            authority=str(raw["authority"] or ""),
            valid_from=_day(raw["valid_from"]),
            valid_to=valid_to,
        )
    except ValidationError:
        # The pydantic message would quote the values: never let it travel.
        raise InputError("bad_card") from None
    return applicant, Facts(card_type, applicant.birth, valid_to, applicant.id_number)


def prefill(item: Item, applicant: Applicant) -> dict[str, Any]:
    """Form values taken from the card, by each field's ``prefill`` (dates as
    ``YYYY-MM-DD``), for the citizen to check rather than type."""
    values: dict[str, Any] = {}
    for field in item.fields:
        if field.prefill is None:
            continue
        value = getattr(applicant, field.prefill)
        if isinstance(value, date):
            value = value.isoformat()
        if value not in (None, ""):
            values[field.name] = value
    return values


def masked(applicant: Applicant) -> tuple[str, str]:
    """Name and id number as a screen may show them."""
    return mask_name(applicant.name), mask_id_number(applicant.id_number)
