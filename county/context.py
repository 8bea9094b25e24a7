"""What every route needs, kept on ``app.state.county``."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from county.auth import Authenticator
from county.db import Database
from kiosk.catalog.loader import catalog_payload, load_shipped
from kiosk.catalog.model import Catalog


class ServedCatalog:
    """The catalog this county serves, read from the kiosk's shipped format (a folder with
    ``manifest.json`` and ``items/*.json``; the kiosk's own ``assets/catalog`` by default).
    Its ETag is a hash of the exact bytes served, so it changes exactly when they do."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = directory
        self.catalog: Catalog = load_shipped(directory)
        self.body = json.dumps(catalog_payload(self.catalog), ensure_ascii=False,
                               separators=(",", ":"), sort_keys=True).encode("utf-8")
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    def matches(self, if_none_match: str | None) -> bool:
        """``If-None-Match`` names our ETag (a list, a weak form ``W/"..."`` or ``*`` too)."""
        if not if_none_match:
            return False
        tags = [t.strip() for t in if_none_match.split(",")]
        return any(t == "*" or t.removeprefix("W/") == self.etag for t in tags)


@dataclass
class County:
    db: Database
    clock: Callable[[], float]
    auth: Authenticator
    catalog: ServedCatalog
    beacon_history: int = 1000
    settings: dict[str, Any] | None = None


def county(request: Request) -> County:
    return request.app.state.county
