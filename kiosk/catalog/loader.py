"""Loading the catalog: the shipped one, the one the county serves, and the last good one.

The kiosk must serve a citizen whatever the network does, so it always has a catalog:
the one it last fetched and validated (kept in a cache file, written atomically with its
ETag), else the one shipped in ``assets/catalog/``. A fetched catalog that fails
validation raises :class:`CatalogError` and changes nothing: a broken catalog never
replaces a good one. A cache file that cannot be read (a torn disk, a hand edit) is
ignored with one log line and the shipped catalog is used.

``catalog_payload`` gives the wire form (``{"version", "items": [...]}``) that the county
backend serves and :func:`parse_catalog` reads back; the round trip is exact.

The shipped catalog lives in a folder: ``manifest.json`` (``{"version": ..., "items":
[code, ...]}``, in display order) and ``items/{code}.json``, one file per item, so that a
review of one item's change touches one file.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.catalog.model import Catalog, Item
from kiosk.fileio import atomic_write
from kiosk.validation import first_error

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "assets" / "catalog"
CACHE_FILE = "catalog-cache.json"
CACHE_FORMAT = 1


class CatalogError(ValueError):
    """A catalog that cannot be used; the message is one line for a log or the service menu."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split())[:300])


def _check_item(item: Item) -> None:
    """What the model cannot say by itself: sane bounds and patterns that compile."""
    for field in item.fields:
        where = f"item {item.code} field {field.name}"
        if field.pattern is not None:
            try:
                re.compile(field.pattern)
            except (re.error, RecursionError, OverflowError) as err:
                raise CatalogError(f"{where}: pattern does not compile ({err})") from None
        if field.min_length > field.max_length:
            raise CatalogError(f"{where}: min_length above max_length")
        if field.minimum is not None and field.maximum is not None and field.minimum > field.maximum:
            raise CatalogError(f"{where}: minimum above maximum")
        for bound in (field.minimum, field.maximum):
            if bound is not None and bound != bound:  # NaN
                raise CatalogError(f"{where}: a bound is not a number")
    elig = item.eligibility
    if elig.min_age is not None and elig.max_age is not None and elig.min_age > elig.max_age:
        raise CatalogError(f"item {item.code}: eligibility min_age above max_age")
    if not elig.card_types:
        raise CatalogError(f"item {item.code}: eligibility admits no card type")
    for prefix in elig.regions:
        if not re.fullmatch(r"\d{2,6}", prefix):
            raise CatalogError(f"item {item.code}: region {prefix!r} is not a code prefix")


def parse_catalog(data: Any) -> Catalog:
    """A validated :class:`Catalog` from its wire or file form; :class:`CatalogError`
    (and nothing else) for anything unusable."""
    if not isinstance(data, dict):
        raise CatalogError(f"a catalog is a JSON object, not {type(data).__name__}")
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as err:
        raise CatalogError(first_error(err, data=data)) from None
    except (TypeError, ValueError, RecursionError) as err:  # belt and braces: never escape
        raise CatalogError(f"catalog: {type(err).__name__}") from None
    kinds = {item.code: item.kind for item in catalog.items}
    for item in catalog.items:
        _check_item(item)
        for code in item.bundle:
            if kinds[code] != "service":
                raise CatalogError(f"bundle {item.code} feeds {code}, which is not a service item")
    return catalog


def catalog_payload(catalog: Catalog) -> dict[str, Any]:
    """The wire form the county serves (``GET /api/v1/catalog``): JSON-ready."""
    return {"version": catalog.version,
            "items": [item.model_dump(mode="json") for item in catalog.items]}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path.name}: missing") from None
    except (OSError, ValueError, RecursionError) as err:  # ValueError: bad UTF-8, bad JSON, a 5000-digit number
        raise CatalogError(f"{path.name}: unreadable ({type(err).__name__})") from None


def load_shipped(directory: str | os.PathLike[str] | None = None) -> Catalog:
    """The catalog shipped with the software (``assets/catalog/``, or ``directory``, which
    is ``config.paths.catalog_dir`` when set)."""
    root = Path(directory) if directory is not None else SHIPPED_DIR
    manifest = _read_json(root / "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("items"), list):
        raise CatalogError("manifest.json: needs a version and a list of item codes")
    codes = manifest["items"]
    if not all(isinstance(c, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", c) for c in codes):
        raise CatalogError("manifest.json: items must be item codes")
    on_disk = {p.stem for p in (root / "items").glob("*.json")}
    stray = sorted(on_disk - set(codes))
    if stray:
        raise CatalogError(f"items not in manifest.json: {', '.join(stray)}")
    items = []
    for code in codes:
        item = _read_json(root / "items" / f"{code}.json")
        if not isinstance(item, dict) or item.get("code") != code:
            raise CatalogError(f"items/{code}.json: its code must be {code}")
        items.append(item)
    return parse_catalog({"version": manifest.get("version"), "items": items})


class CatalogStore:
    """The catalog in use: the last good fetched one, else the shipped one.

    ``cache_dir`` holds one file; the agent process writes it through :meth:`accept`, the
    UI process reads it through :meth:`current` (and :meth:`reload` on ``reload_catalog``).
    """

    def __init__(self, cache_dir: str | os.PathLike[str],
                 shipped_dir: str | os.PathLike[str] | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.shipped_dir = shipped_dir
        self._fetched: Catalog | None = None
        self._etag: str | None = None
        self._shipped: Catalog | None = None
        self.reload()

    @property
    def cache_path(self) -> Path:
        return self.cache_dir / CACHE_FILE

    @property
    def etag(self) -> str | None:
        """The ETag of the fetched catalog in use (for ``If-None-Match``); None when shipped."""
        return self._etag

    @property
    def source(self) -> str:
        """``fetched`` or ``shipped``: which one :meth:`current` gives (for the service menu)."""
        return "fetched" if self._fetched is not None else "shipped"

    def current(self) -> Catalog:
        if self._fetched is not None:
            return self._fetched
        if self._shipped is None:
            self._shipped = load_shipped(self.shipped_dir)
        return self._shipped

    def reload(self) -> Catalog:
        """Read the cache file again (another process may have accepted a newer one)."""
        self._fetched, self._etag = None, None
        try:
            raw = self.cache_path.read_bytes()
        except FileNotFoundError:
            return self.current()
        except OSError as err:
            log.warning("catalog cache %s unreadable (%s); using the shipped catalog",
                        self.cache_path, type(err).__name__)
            return self.current()
        try:
            doc = json.loads(raw.decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT:
                raise CatalogError("not a catalog cache of this format")
            etag = doc.get("etag")
            if etag is not None and not isinstance(etag, str):
                raise CatalogError("etag is not a string")
            self._fetched, self._etag = parse_catalog(doc.get("catalog")), etag
        except (ValueError, RecursionError) as err:  # CatalogError; bad UTF-8 or JSON; a 5000-digit number
            log.warning("catalog cache %s ignored (%s); using the shipped catalog",
                        self.cache_path, str(err).splitlines()[0][:200] if str(err) else "corrupt")
        return self.current()

    def accept(self, payload: Any, etag: str | None) -> Catalog:
        """Validate a fetched catalog and keep it; :class:`CatalogError` leaves all as it was."""
        catalog = parse_catalog(payload)
        if etag is not None and not isinstance(etag, str):
            raise CatalogError("etag is not a string")
        doc = {"format": CACHE_FORMAT, "etag": etag, "catalog": catalog_payload(catalog)}
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.cache_path, data)
        self._fetched, self._etag = catalog, etag
        log.info("catalog %s accepted (%d items)", catalog.version, len(catalog.items))
        return catalog
