"""The database under test: SQLite always, PostgreSQL too when ``COUNTY_TEST_PG`` names one
(e.g. ``postgresql+psycopg://county:county@127.0.0.1:5432/county_test``)."""

from __future__ import annotations

import os

import pytest

from tests.county.support import Server, reset_database

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgresql":
        url = os.environ.get("COUNTY_TEST_PG")
        if not url:
            pytest.skip("COUNTY_TEST_PG is not set")
        reset_database(url)
        return url
    return f"sqlite:///{tmp_path / 'county.db'}"


@pytest.fixture
def server(db_url: str):
    with Server(db_url) as running:
        yield running


@pytest.fixture
def kiosk(server):
    return server.enroll("ZZ-EQ-0001")
