"""parse_catalog: clear errors for bad catalogs, and only CatalogError whatever comes in."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalog.loader import CatalogError, catalog_payload, load_shipped, parse_catalog
from kiosk.catalog.model import Catalog

SHIPPED = catalog_payload(load_shipped())


def payload() -> dict[str, Any]:
    return copy.deepcopy(SHIPPED)


def with_item(change) -> dict[str, Any]:
    data = payload()
    change(data["items"][0])
    return data


def _field(item: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in item["fields"] if f["name"] == name)


@pytest.mark.parametrize("data, message", [
    (None, "JSON object"),
    ([], "JSON object"),
    ("catalog", "JSON object"),
    ({"version": "1"}, "items"),
    ({"version": "1", "items": []}, "items"),
    ({"version": "", "items": SHIPPED["items"]}, "version"),
    ({**SHIPPED, "extra": 1}, "extra"),
    ({**SHIPPED, "items": SHIPPED["items"] + SHIPPED["items"][:1]}, "duplicate item codes"),
    (with_item(lambda i: i.pop("guide")), "guide"),
    (with_item(lambda i: i.update(code="ZZ GLJT")), "code"),
    (with_item(lambda i: i.update(kind="lottery")), "kind"),
    (with_item(lambda i: i["guide"].update(basis=[])), "basis"),
    (with_item(lambda i: i["guide"]["time_limit"].update(legal_days=5, promised_days=10)), "promised"),
    (with_item(lambda i: i["fields"].append(copy.deepcopy(i["fields"][0]))), "duplicate field"),
    (with_item(lambda i: i["fields"][0].update(type="colour")), "type"),
    (with_item(lambda i: i["fields"][0].update(pattern="([a-z")), "pattern does not compile"),
    (with_item(lambda i: i["fields"][0].update(min_length=50, max_length=10)), "min_length"),
    (with_item(lambda i: i["eligibility"].update(min_age=90, max_age=80)), "min_age"),
    (with_item(lambda i: i["eligibility"].update(card_types=[])), "no card type"),
    (with_item(lambda i: i["eligibility"].update(regions=["41ab"])), "region"),
    (with_item(lambda i: i.update(bundle=["zz-lnrydz"])), "bundle"),
    (with_item(lambda i: i.update(kind="bundle", bundle=["zz-nowhere"])), "unknown items"),
    (with_item(lambda i: i.update(kind="bundle", bundle=["zz-sbjfzm"])), "not a service"),
    (with_item(lambda i: i.update(certificate_kind="pension-rights")), "certificate"),
])
def test_bad_catalogs_are_named(data: Any, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog(data)


def test_number_bounds_must_be_in_order() -> None:
    def change(item: dict[str, Any]) -> None:
        item["fields"].append({"name": "n", "label": "数", "type": "number", "minimum": 9, "maximum": 1})
    with pytest.raises(CatalogError, match="minimum above maximum"):
        parse_catalog(with_item(change))


def test_the_error_message_is_one_line() -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(with_item(lambda i: i.update(name="", category="")))
    assert "\n" not in str(caught.value) and "more" in str(caught.value)


# -- fuzz: mutated items give a Catalog or a CatalogError, never anything else ---------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.sampled_from(["service", "bundle", "长期", "zz-gljt", "id_card", "(", "[a-z]*"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, prefix + (index,))
    return out


@st.composite
def mutated(draw) -> dict[str, Any]:
    data = payload()
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(JSON)
        else:
            parent[path[-1]] = draw(JSON)
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_catalogs_raise_only_catalog_errors(data: dict[str, Any]) -> None:
    try:
        result = parse_catalog(data)
    except CatalogError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert isinstance(result, Catalog)
        assert parse_catalog(catalog_payload(result)) == result


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_json_raises_only_catalog_errors(data: Any) -> None:
    with pytest.raises(CatalogError):
        parse_catalog(data)
