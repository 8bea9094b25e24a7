import pytest

from kiosk.ime import PinyinEngine


@pytest.fixture(scope="session")
def engine() -> PinyinEngine:
    """The engine on the shipped dictionary, loaded once for all tests (~0.3 s)."""
    return PinyinEngine()


def texts(page) -> list[str]:
    return [c.text for c in page.items]
