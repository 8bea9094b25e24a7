"""Sample catalog items and people for the catalog and receipt tests."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

from kiosk.catalog.forms import check_digit
from kiosk.catalog.loader import SHIPPED_DIR
from kiosk.catalog.model import Item
from kiosk.identity import Identity


def shipped_item_dict(code: str = "zz-gljt") -> dict[str, Any]:
    """A fresh copy of one shipped item's JSON."""
    return json.loads((SHIPPED_DIR / "items" / f"{code}.json").read_text(encoding="utf-8"))


def make_item(code: str = "zz-gljt", **changes: Any) -> Item:
    """A shipped item with top-level keys replaced (``eligibility``, ``fields``, ...)."""
    data = copy.deepcopy(shipped_item_dict(code))
    data.update(changes)
    return Item.model_validate(data)


def id_number(first17: str) -> str:
    """A valid 18-character id number from its first 17 digits."""
    return first17 + check_digit(first17)


def person_id(region: str = "410103", birth: date = date(1945, 3, 8), seq: str = "002") -> str:
    return id_number(f"{region}{birth:%Y%m%d}{seq}")


IDENTITY = Identity(device_id="ZZ-EQ-0001", maintainer="二七区政务服务中心",
                    phone="0371-68665010", location="五里堡街道便民服务中心一楼大厅")
