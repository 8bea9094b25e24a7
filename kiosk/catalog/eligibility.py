"""Eligibility (办理条件 the kiosk can check itself): age, card validity, card type, region.

Checked right after the citizen proves who they are, so that nobody fills a form, poses
for the camera and signs only to be turned away at the window. Pure: the day is passed in.

Ages are 周岁 on the birthday itself (年满80周岁 on the 80th birthday); someone born on
29 February comes of age on 1 March in a common year. A card is valid through its
``valid_to`` day; ``长期`` never expires; an unknown end (a QR identity may not carry it)
is not held against the citizen. Regions are prefixes of the id number (its first six
digits are where the number was issued, not where the citizen lives now, so the counter
still checks 户籍 for items that depend on it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from kiosk.catalog.model import Item
from kiosk.i18n import CatalogText, Key


@dataclass(frozen=True, repr=False)
class ApplicantFacts:
    """What eligibility needs to know of the applicant (from the card or the QR identity)."""

    card_type: str
    birth: date
    valid_to: date | Literal["长期"] | None = None
    id_number: str = ""

    def __repr__(self) -> str:  # personal data never in a log line
        return f"ApplicantFacts(card_type={self.card_type!r}, <masked>)"

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> "ApplicantFacts":
        """From a card reading (``kiosk-diag idcard read`` keys) or a ``wire.Applicant`` dump."""
        card_type = card.get("card_type") or card.get("id_type") or "resident"
        valid_to = card.get("valid_to")
        if isinstance(valid_to, str) and valid_to != "长期":
            valid_to = date.fromisoformat(valid_to)
        birth = card["birth"]
        if isinstance(birth, str):
            birth = date.fromisoformat(birth)
        return cls(card_type, birth, valid_to, str(card.get("id_number") or ""))


@dataclass(frozen=True, repr=False)
class Problem:
    """Why the applicant cannot use this item here: ``code`` for programs, ``params`` (the
    item's name, the age, the card's end date, the accepted cards …) for the citizen's
    sentence, written by ``kiosk.i18n.explain`` from ``err.eligibility.<code>``."""

    code: Literal["too_young", "too_old", "card_expired", "wrong_card_type", "wrong_region"]
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> str:
        return f"err.eligibility.{self.code}"

    def __repr__(self) -> str:  # the params may be personal (the card's end date)
        return f"Problem({self.code!r})"


def age_on(birth: date, today: date) -> int:
    """Full years (周岁) on ``today``."""
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - (1 if before_birthday else 0)


def _item(item: Item) -> CatalogText:
    return CatalogText(item.name, item, "name_for")


def check(item: Item, facts: ApplicantFacts, today: date) -> list[Problem]:
    """Every reason the applicant cannot apply for ``item`` today; empty when they can."""
    rule = item.eligibility
    name = _item(item)
    notice = CatalogText(rule.notice, item, "notice_for") if rule.notice else ""
    problems: list[Problem] = []

    if facts.card_type not in rule.card_types:
        cards = tuple(Key(f"card_type.{t}") for t in rule.card_types)
        problems.append(Problem("wrong_card_type", {"item": name, "cards": cards}))

    if rule.card_not_expired and isinstance(facts.valid_to, date) and facts.valid_to < today:
        problems.append(Problem("card_expired", {"day": facts.valid_to}))

    age = age_on(facts.birth, today)
    if rule.min_age is not None and age < rule.min_age:
        problems.append(Problem("too_young", {"item": name, "age": rule.min_age, "notice": notice}))
    if rule.max_age is not None and age > rule.max_age:
        problems.append(Problem("too_old", {"item": name, "age": rule.max_age, "notice": notice}))

    if rule.regions and not any(facts.id_number.startswith(p) for p in rule.regions):
        problems.append(Problem("wrong_region", {"item": name, "notice": notice}))
    return problems
