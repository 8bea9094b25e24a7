"""The config and catalog loaders, fed any file: a value or their one typed error, never a hang.

tests/kiosk/test_config.py and tests/kiosk/catalog/test_parse.py fuzz the *parsed* structures
(dicts into ``parse_config`` and ``parse_catalog``); here the bytes of the files themselves
vary: arbitrary bytes, a good file with bytes spoilt or cut short, and the two inputs the
parsers under them (tomllib, json) answer with a bare ``ValueError`` or ``RecursionError``:
an integer of more than 4,300 digits and arrays nested thousands deep. ``load_config`` may
raise only :class:`ConfigError`; ``load_shipped`` only :class:`CatalogError`; a catalog
cache file that cannot be used is ignored (the shipped catalog serves) and never raises.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalog.loader import (CACHE_FILE, SHIPPED_DIR, CatalogError, CatalogStore, catalog_payload,
                                  load_shipped)
from kiosk.catalog.model import Catalog
from kiosk.config import Config, ConfigError, load_config
from tests.fuzz.bounded import typed_only
from tests.kiosk.test_config import GOOD

FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
#: What tomllib and json cannot take without a bare ValueError or RecursionError.
HOSTILE_VALUES = ["1" * 5000, "-" + "9" * 4400, "[" * 5000 + "]" * 5000, "[" * 100_000]
SPOILS = st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=5)


def _spoil(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for at, value in edits:
        out[at % len(out)] = value
    return bytes(out[:cut] if cut is not None else out)


# -- the config -----------------------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_config_with_a_huge_number_or_deep_nesting_is_one_line(tmp_path: Path, value: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(GOOD.replace('paper_width_mm = 58', f"paper_width_mm = {value}"), encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_config(path)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400


@FUZZ
@given(data=st.one_of(st.binary(max_size=400),
                      st.tuples(SPOILS, st.none() | st.integers(0, len(GOOD.encode()))).map(
                          lambda d: _spoil(GOOD.encode(), *d))))
def test_any_config_file_gives_a_config_or_a_config_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    got = typed_only(lambda: load_config(path), ConfigError)
    if isinstance(got, ConfigError):
        assert str(got).startswith(str(path)) and "\n" not in str(got)
    else:
        assert isinstance(got, Config)


# -- the catalog cache (written by the agent, read by the UI) -------------------------------
@pytest.fixture(scope="module")
def good_cache(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("cache")
    store = CatalogStore(folder)
    store.accept(json.loads(json.dumps(catalog_payload(load_shipped()))), '"v1"')
    return (folder / CACHE_FILE).read_bytes()


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_cache_with_a_huge_number_or_deep_nesting_is_ignored(tmp_path: Path, value: str) -> None:
    (tmp_path / CACHE_FILE).write_text(f'{{"format": 1, "etag": null, "catalog": {value}}}', encoding="utf-8")
    store = CatalogStore(tmp_path)
    assert store.source == "shipped" and store.current() == load_shipped()


@FUZZ
@given(data=st.data())
def test_any_cache_file_is_used_or_ignored(tmp_path: Path, good_cache: bytes, data) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=300),
                              st.tuples(SPOILS, st.none() | st.integers(0, len(good_cache))).map(
                                  lambda d: _spoil(good_cache, *d))))
    (tmp_path / CACHE_FILE).write_bytes(raw)
    store = typed_only(lambda: CatalogStore(tmp_path))
    assert store.source in ("fetched", "shipped")
    assert isinstance(store.current(), Catalog)


# -- the shipped catalog's files ------------------------------------------------------------
@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SHIPPED_DIR, tmp_path / "catalog"))


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_shipped_item_with_a_huge_number_or_deep_nesting_is_a_catalog_error(shipped_copy: Path,
                                                                               value: str) -> None:
    item = next((shipped_copy / "items").glob("*.json"))
    item.write_text(f'{{"code": "{item.stem}", "x": {value}}}', encoding="utf-8")
    with pytest.raises(CatalogError, match="unreadable"):
        load_shipped(shipped_copy)


@FUZZ
@given(data=st.data())
def test_any_shipped_file_gives_a_catalog_or_a_catalog_error(tmp_path: Path, data) -> None:
    root = Path(shutil.copytree(SHIPPED_DIR, tmp_path / f"c{len(list(tmp_path.iterdir()))}"))
    files = sorted([root / "manifest.json", *(root / "items").glob("*.json")])
    target = data.draw(st.sampled_from(files))
    original = target.read_bytes()
    target.write_bytes(data.draw(st.one_of(
        st.binary(max_size=200),
        st.tuples(SPOILS, st.none() | st.integers(0, len(original))).map(lambda d: _spoil(original, *d)))))
    got = typed_only(lambda: load_shipped(root), CatalogError)
    assert isinstance(got, (Catalog, CatalogError))
    shutil.rmtree(root)
