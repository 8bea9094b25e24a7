from __future__ import annotations

import pytest

from kiosk.crypto import DataKey
from kiosk.store import open_store


@pytest.fixture
def key() -> DataKey:
    return DataKey.generate()


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def store(data_dir, key):
    with open_store(data_dir, key) as opened:
        yield opened
