"""CatalogStore: last good fetched catalog, else shipped; broken ones never replace good ones."""

from __future__ import annotations

import copy
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog.loader import CACHE_FILE, CatalogError, CatalogStore, catalog_payload, load_shipped

SHIPPED = load_shipped()


def fetched(version: str = "2026.12.1", name: str = "高龄津贴申领（新版）") -> dict[str, Any]:
    data = copy.deepcopy(catalog_payload(SHIPPED))
    data["version"] = version
    data["items"][0]["name"] = name
    return data


def test_a_new_store_serves_the_shipped_catalog(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "cache")
    assert store.current() == SHIPPED
    assert store.etag is None and store.source == "shipped"
    assert not (tmp_path / "cache").exists(), "nothing is written until a catalog is accepted"


def test_an_accepted_catalog_is_kept_across_restarts(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path)
    accepted = store.accept(fetched(), '"v2"')
    assert accepted.version == "2026.12.1"
    assert store.current() == accepted and store.etag == '"v2"' and store.source == "fetched"
    again = CatalogStore(tmp_path)
    assert again.current() == accepted
    assert again.etag == '"v2"'
    assert [p.name for p in tmp_path.iterdir()] == [CACHE_FILE], "no temporary file left behind"


def test_accept_without_an_etag(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path)
    store.accept(fetched(), None)
    assert CatalogStore(tmp_path).etag is None
    assert CatalogStore(tmp_path).source == "fetched"


@pytest.mark.parametrize("broken", [
    {"version": "x"},
    {"version": "x", "items": []},
    "not a catalog",
    {**fetched(), "items": [{"code": "zz-gljt"}]},
])
def test_a_broken_catalog_never_replaces_a_good_one(tmp_path: Path, broken: Any) -> None:
    store = CatalogStore(tmp_path)
    good = store.accept(fetched(), '"good"')
    before = (tmp_path / CACHE_FILE).read_bytes()
    with pytest.raises(CatalogError):
        store.accept(broken, '"bad"')
    assert store.current() == good and store.etag == '"good"'
    assert (tmp_path / CACHE_FILE).read_bytes() == before
    assert CatalogStore(tmp_path).current() == good


def test_a_broken_first_fetch_leaves_the_shipped_one(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path)
    with pytest.raises(CatalogError):
        store.accept({"version": "1", "items": [{}]}, '"e"')
    assert store.current() == SHIPPED and store.etag is None
    assert not (tmp_path / CACHE_FILE).exists()


def test_a_non_string_etag_is_refused(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path)
    with pytest.raises(CatalogError):
        store.accept(fetched(), 42)  # type: ignore[arg-type]
    assert store.source == "shipped"


@pytest.mark.parametrize("content", [
    b"",
    b"{not json",
    b"\xff\xfe\x00garbage",
    b"[]",
    json.dumps({"format": 99, "etag": None, "catalog": {}}).encode(),
    json.dumps({"format": 1, "etag": 7, "catalog": fetched()}).encode(),
    json.dumps({"format": 1, "etag": '"e"', "catalog": {"version": "1", "items": []}}).encode(),
])
def test_a_corrupt_cache_is_ignored_with_a_log_line(tmp_path: Path, content: bytes,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / CACHE_FILE).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="kiosk.catalog.loader"):
        store = CatalogStore(tmp_path)
    assert store.current() == SHIPPED and store.etag is None and store.source == "shipped"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "kiosk.catalog.loader"]
    assert len(warnings) == 1 and "ignored" in warnings[0].getMessage()


def test_a_torn_cache_file_falls_back_and_the_next_accept_mends_it(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path)
    store.accept(fetched(), '"v2"')
    path = tmp_path / CACHE_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert CatalogStore(tmp_path).current() == SHIPPED
    mended = CatalogStore(tmp_path)
    mended.accept(fetched("2026.12.2"), '"v3"')
    assert CatalogStore(tmp_path).current().version == "2026.12.2"


def test_reload_sees_what_another_process_accepted(tmp_path: Path) -> None:
    ui = CatalogStore(tmp_path)
    agent = CatalogStore(tmp_path)
    agent.accept(fetched("2026.12.9"), '"v9"')
    assert ui.current() == SHIPPED, "the UI keeps what it has until told to reload"
    assert ui.reload().version == "2026.12.9" and ui.etag == '"v9"'


def test_a_failed_write_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CatalogStore(tmp_path)
    good = store.accept(fetched(), '"good"')

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.accept(fetched("2027.1.1"), '"new"')
    monkeypatch.undo()
    assert store.current() == good and store.etag == '"good"'
    assert [p.name for p in tmp_path.iterdir()] == [CACHE_FILE]
    assert CatalogStore(tmp_path).current() == good


def test_a_given_shipped_folder_is_used(tmp_path: Path) -> None:
    with pytest.raises(CatalogError):
        CatalogStore(tmp_path / "cache", shipped_dir=tmp_path / "nowhere").current()
