"""On-screen Chinese input: the pinyin engine behind the keyboard (see engine.py)."""

from kiosk.ime.engine import Candidate, Candidates, PinyinEngine
from kiosk.ime.index import DictionaryError, forget_typing
from kiosk.ime.parse import PinyinInputError

__all__ = ["Candidate", "Candidates", "DictionaryError", "PinyinEngine", "PinyinInputError", "forget_typing"]
