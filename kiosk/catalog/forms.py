"""The item's form: checking what the citizen typed, and filling what the card already says.

Every check gives a :class:`FieldError`: a ``code`` and the params of one plain, kind sentence
that says how to put it right (never a code, never text: ``kiosk.i18n.explain`` writes it in
the citizen's language from kiosk/locale/*/errors.toml, with the field's label from the
catalog), and a clean value ready for the transaction's JSON ``form``: text
trimmed and normalised (full-width digits and letters become half-width), numbers as int
or float, phones in one spelling, dates as ``YYYY-MM-DD``, id numbers with a capital X.
Pure functions; nothing here is logged (the values are personal).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from kiosk.catalog.model import FormField, Item
from kiosk.i18n import CatalogText

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"(0\d{2,3})-?([2-9]\d{6,7})(?:-(\d{1,6}))?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


class FieldError(ValueError):
    """One field's problem: ``code`` for programs; ``key`` and ``params`` (the field's label
    among them) for the citizen's sentence (``kiosk.i18n.explain``). ``key`` is
    ``err.field.<code>`` unless a variant is named (a choice is "chosen", not "filled in")."""

    def __init__(self, code: str, field: FormField | str = "", key: str = "", **params: Any) -> None:
        super().__init__(code)
        self.code, self.key = code, key or f"err.field.{code}"
        if isinstance(field, FormField):
            params = {"label": _label(field), **params}
            field = field.name
        self.field, self.params = field, params

    def __repr__(self) -> str:  # the value is never part of it
        return f"FieldError({self.field!r}, {self.code!r})"


class FormErrors(ValueError):
    """Every problem of a form at once, by field name, so the screen can mark them all."""

    def __init__(self, errors: dict[str, FieldError]) -> None:
        super().__init__(", ".join(f"{k}:{e.code}" for k, e in errors.items()))
        self.errors = errors


def _label(field: FormField) -> CatalogText:
    return CatalogText(field.label, field, "label_for")


def check_digit(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def _normal(text: str) -> str:
    """NFKC (full-width to half-width), trimmed; ideographic spaces become spaces."""
    return unicodedata.normalize("NFKC", text).strip()


def _as_text(field: FormField, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError("bad_type", field)
    text = _normal(value)
    if _CONTROL.search(text):
        raise FieldError("bad_chars", field)
    return text


def _length(field: FormField, text: str, floor: int = 0) -> str:
    shortest = max(field.min_length, floor)
    if len(text) < shortest:
        raise FieldError("too_short", field, n=shortest)
    if len(text) > field.max_length:
        raise FieldError("too_long", field, n=field.max_length)
    return text


def _text(field: FormField, value: Any) -> str:
    text = _length(field, _as_text(field, value))
    if field.pattern and not re.fullmatch(field.pattern, text):
        if field.help:
            raise FieldError("pattern", field, key="err.field.pattern_help",
                             help=CatalogText(field.help, field, "help_for"))
        raise FieldError("pattern", field)
    return text


def _address(field: FormField, value: Any) -> str:
    text = _length(field, re.sub(r"\s+", " ", _as_text(field, value)), floor=5)
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise FieldError("bad_address", field)
    return text


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _number(field: FormField, value: Any) -> int | float:
    bad = FieldError("not_number", field)
    if isinstance(value, bool):
        raise bad
    if isinstance(value, str):
        text = _normal(value).replace(",", "")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise bad
        number: float = float(text)
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise bad
    if not math.isfinite(number):
        raise bad
    if field.minimum is not None and number < field.minimum:
        raise FieldError("too_small", field, limit=_fmt(field.minimum))
    if field.maximum is not None and number > field.maximum:
        raise FieldError("too_large", field, limit=_fmt(field.maximum))
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _phone(field: FormField, value: Any) -> str:
    text = re.sub(r"[\s()（）]", "", _as_text(field, value))
    text = re.sub(r"^(\+86|0086)-?", "", text)
    if MOBILE.fullmatch(text.replace("-", "")):
        return text.replace("-", "")
    landline = LANDLINE.fullmatch(text)
    if landline:
        area, number, ext = landline.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise FieldError("bad_phone", field)


def _date(field: FormField, value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = _as_text(field, value)
        found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        try:
            if not found:
                raise ValueError(text)
            day = date(*(int(g) for g in found.groups()))
        except ValueError:
            raise FieldError("bad_date", field) from None
    if not 1900 <= day.year <= 2100:
        raise FieldError("bad_date", field, key="err.field.bad_year")
    return day.isoformat()


def _choice(field: FormField, value: Any) -> str:
    text = _as_text(field, value)
    if text not in field.options:
        raise FieldError("bad_choice", field)
    return text


def _id_number(field: FormField, value: Any) -> str:
    text = _as_text(field, value).replace(" ", "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise FieldError("bad_id_length", field)
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or text[0] == "0":
        raise FieldError("bad_id_number", field)
    if check_digit(text[:17]) != text[17]:
        raise FieldError("bad_id_checksum", field)
    return text


_CHECKS = {"text": _text, "number": _number, "phone": _phone, "date": _date,
           "choice": _choice, "id_number": _id_number, "address": _address}


def validate(field: FormField, value: Any) -> Any:
    """The clean value of ``field``, or :class:`FieldError`. An empty optional field is None."""
    empty = value is None or (isinstance(value, str) and not _normal(value))
    if empty:
        if field.required:
            choice = field.type == "choice"
            raise FieldError("required", field, key="err.field.required_choice" if choice else "")
        return None
    return _CHECKS[field.type](field, value)


def validate_all(item: Item, values: dict[str, Any]) -> dict[str, Any]:
    """The clean form of ``item`` (empty optional fields left out); :class:`FormErrors`
    naming every field in trouble, also any value for a field the item does not have."""
    clean: dict[str, Any] = {}
    errors: dict[str, FieldError] = {}
    for field in item.fields:
        try:
            result = validate(field, values.get(field.name))
        except FieldError as err:
            errors[field.name] = err
            continue
        if result is not None:
            clean[field.name] = result
    known = {f.name for f in item.fields}
    for name in values:
        if name not in known:
            errors[str(name)] = FieldError("unknown_field", str(name))
    if errors:
        raise FormErrors(errors)
    return clean


def prefill(item: Item, card: dict[str, Any]) -> dict[str, Any]:
    """Values the ID card already gives, for fields that ask for them; a value that would
    not pass the field's own check (a choice the card's text is not among) is left out."""
    values: dict[str, Any] = {}
    for field in item.fields:
        if field.prefill is None:
            continue
        raw = card.get(field.prefill)
        if raw is None or raw == "":
            continue
        if isinstance(raw, date):
            raw = raw.isoformat()
        try:
            clean = validate(field, str(raw))
        except FieldError:
            continue
        if clean is not None:
            values[field.name] = clean
    return values
