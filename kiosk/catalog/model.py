"""The catalog format (事项清单): one service item, with its 办事指南 and what the kiosk needs.

An item holds the ten guide elements county standards require (办理依据, 办理条件, 申请材料,
受理单位及办理点, 基本流程, 收费依据及标准, 办理时限, 工作时间, 咨询方式, 监督电话) and what the
kiosk needs to serve it: how the applicant proves identity, whether a face photo and a
signature are needed, the form's fields, the materials to photograph, eligibility rules,
the promised days, and bundles (一件事一次办). The keys county-api.md names (``code``,
``name``, ``version``, ``fields``, ``materials``) are here as the contract spells them.
Every model forbids unknown keys, so a typo in a catalog file is an error, not a gap.

The item, its fields and its materials may carry an English overlay (``"en"``, see
:mod:`kiosk.catalog.overlay`); the ``*_for(lang)`` methods give the text to show in a
language, Chinese when the language is Chinese or the overlay lacks it. Values submitted and
printed paper are always the Chinese ones.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.catalog.overlay import (OVERLAY_LANG, FieldEnglish, ItemEnglish, MaterialEnglish,
                                   overlay_problems, pick)

FieldType = Literal["text", "number", "phone", "date", "choice", "id_number", "address"]
IdentityMethod = Literal["id_card", "qr"]
CardType = Literal["resident", "hmt_residence", "foreign_permanent", "foreign_permanent_2023"]
ItemKind = Literal["service", "bundle", "certificate", "appointment"]
#: Where a field's value may come from on the ID card.
Prefill = Literal["name", "gender", "nation", "birth", "address", "id_number"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FormField(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="key in the transaction's form")
    label: str = Field(min_length=1, max_length=20, description="what the screen shows")
    type: FieldType
    required: bool = True
    options: list[str] = Field(default_factory=list, description="the choices of a choice field")
    prefill: Prefill | None = Field(None, description="taken from the ID card when present")
    pattern: str | None = Field(None, max_length=200, description="extra regular expression for text")
    min_length: int = Field(0, ge=0, le=500)
    max_length: int = Field(100, ge=1, le=500)
    minimum: float | None = Field(None, description="lower bound of a number field")
    maximum: float | None = Field(None, description="upper bound of a number field")
    help: str = Field("", max_length=80, description="one line of help under the field")
    en: FieldEnglish | None = Field(None, description="the English of label, help and option captions")

    @model_validator(mode="after")
    def _choices(self) -> "FormField":
        if self.type == "choice" and len(self.options) < 2:
            raise ValueError(f"choice field {self.name} needs at least two options")
        if self.type != "choice" and self.options:
            raise ValueError(f"field {self.name}: options belong to choice fields only")
        return self

    def label_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "label", self.label)

    def help_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "help", self.help)

    def option_captions(self, lang: str | None) -> list[str]:
        """What the screen shows for each option, in the options' order (the value submitted
        is still the option itself)."""
        if lang == OVERLAY_LANG and self.en is not None and self.en.options:
            return list(self.en.options)
        return list(self.options)

    def caption_for(self, value: str, lang: str | None) -> str:
        """The caption of one option value (a value that is no option shows as it is)."""
        captions = dict(zip(self.options, self.option_captions(lang)))
        return captions.get(value, value)


#: The usual ways a paper is handed in (``MaterialRequirement.form``), by a code the screens
#: translate; any other form is shown as the catalog writes it.
MATERIAL_FORMS = {"原件": "original", "复印件": "copy", "原件及复印件": "original_and_copy"}


class MaterialRequirement(Strict):
    """A paper to photograph; the guide lists it under 申请材料."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=40)
    required: bool = True
    form: str = Field("原件", max_length=20, description="原件 / 复印件 / 原件及复印件")
    copies: int = Field(1, ge=1, le=10)
    pages: int = Field(1, ge=1, le=20, description="pages to photograph")
    note: str = Field("", max_length=120)
    en: MaterialEnglish | None = None

    def name_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "name", self.name)

    def note_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "note", self.note)

    @property
    def form_code(self) -> str | None:
        """``original``, ``copy`` or ``original_and_copy`` (None: a form of the catalog's own)."""
        return MATERIAL_FORMS.get(self.form)


class Venue(Strict):
    name: str = Field(min_length=1, max_length=60)
    address: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=40)


class Fees(Strict):
    charged: bool = False
    standard: str = Field("不收费", max_length=200)
    basis: str = Field("", max_length=200)


class TimeLimit(Strict):
    legal_days: int = Field(ge=0, le=365, description="法定办结时限")
    promised_days: int = Field(ge=0, le=365, description="承诺办结时限")
    unit: Literal["工作日", "自然日"] = "工作日"

    @model_validator(mode="after")
    def _promise_within_law(self) -> "TimeLimit":
        if self.promised_days > self.legal_days > 0:
            raise ValueError("the promised time cannot exceed the legal time")
        return self


class Guide(Strict):
    """The ten elements of 办事指南 (申请材料 are the item's ``materials``)."""

    basis: list[str] = Field(min_length=1, description="办理依据")
    conditions: list[str] = Field(min_length=1, description="办理条件")
    venues: list[Venue] = Field(min_length=1, description="受理单位及办理点")
    process: list[str] = Field(min_length=1, description="基本流程")
    fees: Fees = Fees()
    time_limit: TimeLimit
    hours: str = Field(min_length=1, max_length=200, description="工作时间")
    consult: list[str] = Field(min_length=1, description="咨询方式")
    supervise: str = Field(min_length=1, max_length=100, description="监督电话")


class Eligibility(Strict):
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    card_not_expired: bool = True
    card_types: list[CardType] = Field(default_factory=lambda: ["resident"])
    regions: list[str] = Field(default_factory=list,
                               description="administrative code prefixes of the id number (e.g. 4101)")
    notice: str = Field("", max_length=200, description="what to tell someone not eligible")


class Item(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    name: str = Field(min_length=1, max_length=40)
    version: str = Field(min_length=1, max_length=32)
    kind: ItemKind = "service"
    category: str = Field(min_length=1, max_length=20)
    department: str = Field(min_length=1, max_length=60)
    summary: str = Field("", max_length=120)
    keywords: list[str] = Field(default_factory=list)
    popularity: int = Field(0, ge=0, le=1000, description="higher first on the frequent tiles")
    elder_first: bool = Field(False, description="shown first in 长辈模式")
    identity_methods: list[IdentityMethod] = Field(default_factory=lambda: ["id_card"], min_length=1)
    face_photo: bool = False
    signature: bool = False
    fields: list[FormField] = Field(default_factory=list)
    materials: list[MaterialRequirement] = Field(default_factory=list)
    eligibility: Eligibility = Eligibility()
    guide: Guide
    bundle: list[str] = Field(default_factory=list, description="一件事: the items this form feeds")
    certificate_kind: str | None = Field(None, max_length=64, description="kind for /certificates")
    en: ItemEnglish | None = Field(None, description="the English of name, category, summary …")

    @model_validator(mode="after")
    def _consistent(self) -> "Item":
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"item {self.code}: duplicate field names")
        codes = [m.code for m in self.materials]
        if len(codes) != len(set(codes)):
            raise ValueError(f"item {self.code}: duplicate material codes")
        if (self.kind == "bundle") != bool(self.bundle):
            raise ValueError(f"item {self.code}: a bundle, and only a bundle, lists bundled items")
        if (self.kind == "certificate") != bool(self.certificate_kind):
            raise ValueError(f"item {self.code}: a certificate, and only a certificate, has a kind")
        problems = overlay_problems(self)
        if problems:
            raise ValueError(f"item {self.code}: {problems[0]}")
        return self

    # -- the texts in a language (Chinese unless the overlay has it) ------------------------
    def name_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "name", self.name)

    def category_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "category", self.category)

    def department_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "department", self.department)

    def summary_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "summary", self.summary)

    def notice_for(self, lang: str | None) -> str:
        return pick(self.en, lang, "notice", self.eligibility.notice)

    def matches(self, query: str) -> bool:
        """Search: every word of ``query`` is in the item's name, category, keywords or
        summary, in Chinese or English (case does not matter)."""
        words = query.casefold().split()
        texts = [self.name, self.category, self.summary, *self.keywords]
        if self.en is not None:
            texts += [self.en.name, self.en.category, self.en.summary, *self.en.keywords]
        haystack = "\n".join(texts).casefold()
        return bool(words) and all(word in haystack for word in words)

    @property
    def promised_days(self) -> int:
        return self.guide.time_limit.promised_days

    @property
    def needs_camera(self) -> bool:
        return self.face_photo or bool(self.materials)

    def needed_devices(self) -> set[str]:
        """The devices without which this item cannot be served (printer excepted: the
        receipt can be shown on screen)."""
        devices = {"camera"} if self.needs_camera else set()
        if self.identity_methods == ["id_card"]:
            devices.add("idcard")
        return devices


def category_for(items: list[Item], category: str, lang: str | None) -> str:
    """A category's name in ``lang``: from the first of ``items`` in it with an overlay (the
    catalog checks that they agree), else the category as it is."""
    return next((i.category_for(lang) for i in items if i.category == category and i.en is not None),
                category)


class Catalog(Strict):
    version: str = Field(min_length=1, max_length=32)
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Catalog":
        codes = [i.code for i in self.items]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate item codes")
        known = set(codes)
        for item in self.items:
            missing = [c for c in item.bundle if c not in known]
            if missing:
                raise ValueError(f"bundle {item.code} names unknown items: {', '.join(missing)}")
        english: dict[str, str] = {}
        for item in self.items:
            if item.en is None:
                continue
            first = english.setdefault(item.category, item.en.category)
            if first != item.en.category:
                raise ValueError(f"item {item.code}: category {item.category} is {first!r} in English "
                                 f"elsewhere, not {item.en.category!r}")
        return self

    def get(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def category_for(self, category: str, lang: str | None) -> str:
        return category_for(self.items, category, lang)

    def search(self, query: str) -> list[Item]:
        """The items ``query`` finds (:meth:`Item.matches`), in catalog order."""
        return [item for item in self.items if item.matches(query)]
