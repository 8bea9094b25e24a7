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

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from kiosk.catalog.model import Item

CARD_NAMES = {
    "resident": "居民身份证",
    "hmt_residence": "港澳台居民居住证",
    "foreign_permanent": "外国人永久居留身份证",
    "foreign_permanent_2023": "外国人永久居留身份证",
}


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


@dataclass(frozen=True)
class Problem:
    """Why the applicant cannot use this item here; ``text_zh`` is for the screen."""

    code: Literal["too_young", "too_old", "card_expired", "wrong_card_type", "wrong_region"]
    text_zh: str


def age_on(birth: date, today: date) -> int:
    """Full years (周岁) on ``today``."""
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - (1 if before_birthday else 0)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check(item: Item, facts: ApplicantFacts, today: date) -> list[Problem]:
    """Every reason the applicant cannot apply for ``item`` today; empty when they can."""
    rule = item.eligibility
    notice = f"{rule.notice}" if rule.notice else ""
    problems: list[Problem] = []

    if facts.card_type not in rule.card_types:
        accepted = "、".join(dict.fromkeys(CARD_NAMES.get(t, t) for t in rule.card_types))
        problems.append(Problem(
            "wrong_card_type",
            f"“{item.name}”需要使用{accepted}办理，您使用的证件暂不能在本机办理此事项。"
            "请到服务窗口，工作人员会帮您办理。"))

    if rule.card_not_expired and isinstance(facts.valid_to, date) and facts.valid_to < today:
        problems.append(Problem(
            "card_expired",
            f"您的证件有效期到{_day(facts.valid_to)}，已经过期了。"
            "请先到公安机关换领新证，或到服务窗口咨询其他办法。"))

    age = age_on(facts.birth, today)
    if rule.min_age is not None and age < rule.min_age:
        problems.append(Problem(
            "too_young",
            f"“{item.name}”需要年满{rule.min_age}周岁才能申请，您目前还不满足这个条件。{notice}"))
    if rule.max_age is not None and age > rule.max_age:
        problems.append(Problem(
            "too_old",
            f"“{item.name}”面向{rule.max_age}周岁及以下人员，您目前不在办理范围内。{notice}"))

    if rule.regions and not any(facts.id_number.startswith(p) for p in rule.regions):
        problems.append(Problem(
            "wrong_region",
            f"“{item.name}”由本地受理，您的证件不属于本地，本机暂时不能为您办理。"
            f"如您已在本地落户或居住，请到服务窗口办理。{notice}"))
    return problems
