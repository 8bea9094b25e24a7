"""The English overlay of a catalog item: what a citizen reads, in English, beside the Chinese.

An item, each of its fields and each of its materials may carry an ``"en"`` object with the
English of its own texts (county-api.md lets the catalog format add keys). The overlay only
changes what the screen shows: the values submitted stay the Chinese ones (a choice field's
value is its Chinese option, whatever caption the screen showed), the printed receipt stays
Chinese, and the guide's long texts (legal basis, conditions, venues, steps, hours, contacts)
have no overlay: in English the guide screen says they are in Chinese and staff can help.

Every text is optional in the format: a missing one shows in Chinese, and an English text
whose Chinese is empty (a note the catalog dropped) is not shown. Captions must match the
options one to one (as many, none empty, none twice): the item's validator checks that and
names the item; the categories' English must agree across items (the catalog's validator).
A shipped item with an incomplete overlay is caught by tests/kiosk/catalog/test_english.py.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: The language of the overlay (the ``"en"`` key); any other language reads the Chinese.
OVERLAY_LANG = "en"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FieldEnglish(_Strict):
    label: str = Field(min_length=1, max_length=60, description="the field's label")
    help: str = Field("", max_length=200, description="its help line (shown only if it has one)")
    options: list[str] = Field(default_factory=list,
                               description="captions of a choice field's options, in their order")


class MaterialEnglish(_Strict):
    name: str = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=240, description="shown only if the material has a note")


class ItemEnglish(_Strict):
    name: str = Field(min_length=1, max_length=80)
    category: str = Field(min_length=1, max_length=40,
                          description="the same for every item of one Chinese category")
    department: str = Field("", max_length=160)
    summary: str = Field("", max_length=300)
    keywords: list[str] = Field(default_factory=list, description="English words search finds it by")
    notice: str = Field("", max_length=400, description="of eligibility.notice (shown only if set)")


def overlay_problems(item) -> list[str]:
    """What in ``item``'s overlays cannot be shown (empty: all can): captions that do not
    match the options one to one. (An English text whose Chinese is empty is never shown.)"""
    problems: list[str] = []
    for field in item.fields:
        fe = field.en
        if fe is None:
            continue
        where = f"field {field.name}"
        if fe.options and len(fe.options) != len(field.options):
            problems.append(f"{where}: en.options has {len(fe.options)} captions "
                            f"for {len(field.options)} options")
        elif len(set(fe.options)) != len(fe.options):
            problems.append(f"{where}: en.options repeats a caption")
        if any(not caption for caption in fe.options):
            problems.append(f"{where}: en.options has an empty caption")
    return problems


def pick(en, lang: str | None, attr: str, chinese: str) -> str:
    """The overlay's ``attr`` in ``lang`` when there is one and it is not empty, else ``chinese``
    (an empty Chinese text stays empty: the English of a note the catalog dropped is stale)."""
    if lang != OVERLAY_LANG or en is None or not chinese:
        return chinese
    return getattr(en, attr) or chinese
