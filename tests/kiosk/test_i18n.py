"""The translation files: complete, consistent, used, and the only home of citizen text.

- zh and en have the same keys in each file (Chinese-only files exempt: printed paper is an
  official record, in Chinese), and the same ``{placeholders}`` in every text; English may add
  a singular ``<key>.one`` (used with ``n=1``) for a key of the same file;
- every key of ui.toml and paper.toml is used somewhere in the code, and every key the code
  names exists;
- a malformed file, a key defined twice, an unknown language: :class:`TranslationError`;
- no Chinese in kiosk/ui's code, kiosk/receipts.py, the form and eligibility checks nor the
  session (outside comments and docstrings): "none in code";
- every error code the code raises has its text in errors.toml, and every error text is used;
- printed paper (kiosk/receipts.py, the test page) is read from paper.toml in Chinese, whatever
  the screen's language (tests/kiosk/test_receipts.py checks the paper itself).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.i18n import LOCALE_DIR, TranslationError, table, tr

ROOT = Path(__file__).resolve().parents[2]
KIOSK = ROOT / "kiosk"
#: Files only Chinese has (their keys fall back to Chinese in every language).
ZH_ONLY = {"paper.toml"}
#: Keys whose languages may use different values out of a fixed set the code passes.
FORMATS = {"date": {"year", "month", "month_name", "day"},
           "clock": {"year", "month", "month_name", "day", "weekday", "time"}}
#: Keys the code builds at run time (``t(f"dev_{role}")``): the prefix is enough.
DYNAMIC = ("dev_", "unit.", "counter.", "status_", "rating_level_", "rating_reason_", "busy_", "identity_")
#: Files whose keys this test checks for use (other parts' files have their own tests).
OWN_FILES = ("ui.toml", "paper.toml")

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
#: Code the "none in code" scanner reads (besides kiosk/ui), relative to the repository.
SCANNED = ("kiosk/receipts.py", "kiosk/catalog/forms.py", "kiosk/catalog/eligibility.py",
           "kiosk/session/*.py")
#: Chinese that is data, not a citizen-facing string: (file, literal as in the source) → why.
#: A literal given as its opening ``"""`` line stands for the triple-quoted literal it starts.
ALLOWED_CJK = {
    ("kiosk/ui/widgets/cjk_text.py", None): "line-breaking rules: which punctuation may not "
                                           "start or end a line",
    ("kiosk/ui/screens/confirm.py", 'r"(证号|号码|卡号|账号|编号|身份证号)$"'): "matches the catalog's field "
                                                                        "labels to mask numbers",
    ("kiosk/ui/screens/confirm.py", '"姓名"'): "matches the catalog's field labels to mask names",
    ("kiosk/ui/screens/identify.py", '"长期"'): "the card's 'valid for life' value on the wire",
    ("kiosk/ui/strings.py", '"。."'): "drops a catalog note's own full stop before joining",
    ("kiosk/ui/services.py", '"""\n[identity]'): "the simulation config's identity (data)",
    ("kiosk/receipts.py", '"工作日"'): "the catalog's unit on the wire, counted Monday to Friday",
    ("kiosk/receipts.py", '"自然日"'): "the catalog's unit on the wire, counted every day",
    ("kiosk/catalog/forms.py", 'r"[\\s()（）]"'): "a phone number's full-width brackets, dropped",
    ("kiosk/catalog/forms.py", 'r"(\\d{4})\\s*[-/.年]\\s*(\\d{1,2})\\s*[-/.月]\\s*(\\d{1,2})\\s*日?"'):
        "reads a date typed as 2026年1月31日",
    ("kiosk/catalog/eligibility.py", '"长期"'): "the card's 'valid for life' value on the wire",
    ("kiosk/session/applicant.py", '"长期"'): "the card's 'valid for life' value on the wire",
    ("kiosk/session/visit.py", 'f"{req.name}（第{number}页）"'): "a page's material name in the "
                                                           "transaction the county records",
}


def _allowed(rel: str, literal: str) -> bool:
    if (rel, literal) in ALLOWED_CJK:
        return True
    return any(f == rel and isinstance(a, str) and a.startswith('"""') and literal.startswith(a)
               for f, a in ALLOWED_CJK)


def _files(lang: str) -> dict[str, dict]:
    import tomllib

    return {p.name: tomllib.loads(p.read_text(encoding="utf-8"))
            for p in sorted((LOCALE_DIR / lang).glob("*.toml"))}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)", text))


def _singular_of(key: str) -> str | None:
    """``idle_body.one`` → ``idle_body``: English's singular of a key (None: not one)."""
    return key.removesuffix(".one") if key.endswith(".one") else None


def test_chinese_and_english_have_the_same_keys_file_by_file():
    zh, en = _files("zh"), _files("en")
    assert "ui.toml" in zh and "ui.toml" in en and "errors.toml" in zh
    for name, keys in zh.items():
        if name in ZH_ONLY:
            assert name not in en, f"{name} is Chinese only"
            continue
        assert name in en, f"en/{name} is missing"
        assert not any(_singular_of(k) for k in keys), f"{name}: Chinese has no plural"
        singulars = {k for k in en[name] if _singular_of(k) in keys}
        assert set(keys) == set(en[name]) - singulars, f"{name}: {set(keys) ^ set(en[name])}"
    assert set(en) - set(zh) == set()


def test_every_placeholder_matches():
    zh, en = table("zh"), table("en")
    for key, text in en.items():
        if _singular_of(key):  # "In 1 second": the singular may spell its number out
            assert _placeholders(text) <= _placeholders(en[_singular_of(key)]), key
        elif key in FORMATS:
            assert _placeholders(text) <= FORMATS[key] and _placeholders(zh[key]) <= FORMATS[key]
        else:
            assert _placeholders(text) == _placeholders(zh[key]), key


def test_no_text_is_empty_and_english_has_no_chinese():
    for key, text in {**_files("en")["ui.toml"], **_files("en")["errors.toml"]}.items():
        assert text.strip(), key
        if not key.startswith("unit."):  # the key (not the text) names the catalog's unit
            assert not CJK.search(text), f"{key}: {text}"
    assert all(text.strip() for text in table("zh").values())


def _code() -> str:
    parts = [p.read_text(encoding="utf-8") for p in KIOSK.rglob("*") if p.suffix in (".py", ".kv")]
    return "\n".join(parts)


def test_every_key_is_used_and_every_key_used_exists():
    code = _code()
    for name in OWN_FILES:
        for key in _files("zh").get(name, {}):
            if key.startswith(DYNAMIC):
                continue
            assert f'"{key}"' in code or f"'{key}'" in code, f"{name}: {key} is never used"
    known = set(table("zh"))
    used = set(re.findall(r"""\b(?:t|tr|_zh)\(\s*["']([\w.]+)["']""", code))
    used |= set(re.findall(r"""keyed\((?:self|[^\n]*?\)), f?["']([a-z_]+)["']""", code))
    assert used - known == set()
    for prefix in ("dev_", "status_", "rating_level_", "rating_reason_", "identity_"):
        assert any(k.startswith(prefix) for k in known), prefix


def test_english_and_chinese_lookups_and_the_fallback(monkeypatch):
    assert tr("cancel", "zh") == "取消" and tr("cancel", "en") == "Cancel"
    assert tr("mat_page", "en", n=1, m=3) == "Page 1 of 3"
    monkeypatch.delitem(table("en"), "cancel")  # a key English lacks …
    assert tr("cancel", "en") == "取消"  # … falls back to Chinese, never to the key
    with pytest.raises(TranslationError):
        tr("no_such_key", "en")


@pytest.fixture
def locale(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    table.cache_clear()
    for lang in ("zh", "en"):
        (tmp_path / lang).mkdir()
    yield tmp_path
    table.cache_clear()


@pytest.mark.parametrize("files, why", [
    ({"ui.toml": 'cancel = "取消'}, "unterminated string"),
    ({"ui.toml": "cancel = 3"}, "not a string"),
    ({"ui.toml": "[screen]\ncancel = \"取消\""}, "a table, not flat"),
    ({"a.toml": 'cancel = "取消"', "b.toml": 'cancel = "取消"'}, "defined twice"),
    ({"ui.toml": b'cancel = "\xff"'}, "not UTF-8"),
])
def test_a_malformed_file_is_a_translation_error(locale, files, why):
    for name, text in files.items():
        path = locale / "zh" / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text, encoding="utf-8")
    with pytest.raises(TranslationError):
        table("zh")


def test_an_unknown_language_is_refused():
    with pytest.raises(TranslationError):
        i18n.set_language("fr")
    assert i18n.language() == "zh"


# -- "none in code" -------------------------------------------------------------------------
def _py_strings(path: Path) -> list[tuple[int, str]]:
    """String literals that are not docstrings (comments are not tokens of type STRING)."""
    out, prev = [], None
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.STRING and prev not in (None, tokenize.NEWLINE, tokenize.INDENT,
                                                        tokenize.DEDENT):
            out.append((tok.start[0], tok.string))
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            prev = tok.type
    return out


def _kv_code(path: Path) -> list[tuple[int, str]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue  # a comment (kv has no trailing comments on property lines)
        out.append((n, line))
    return out


def _chinese_in_code() -> list[str]:
    found = []
    for path in sorted((KIOSK / "ui").rglob("*")) + [p for f in SCANNED for p in sorted(ROOT.glob(f))]:
        rel = path.relative_to(ROOT).as_posix()
        if path.suffix == ".py":
            pieces = _py_strings(path)
        elif path.suffix == ".kv":
            pieces = _kv_code(path)
        else:
            continue
        if "pinyin_keyboard" in rel or (rel, None) in ALLOWED_CJK:
            continue
        found += [f"{rel}:{n}: {s.strip()[:80]}" for n, s in pieces
                  if CJK.search(s) and not _allowed(rel, s.strip())]
    return found


def test_no_chinese_in_the_screens_code():
    assert _chinese_in_code() == []


def test_the_scanner_finds_chinese_in_code(tmp_path, monkeypatch):
    """The scanner itself: a literal is found, a docstring, a comment and allowed data are not;
    kiosk/receipts.py is read too."""
    ui = tmp_path / "kiosk" / "ui"
    ui.mkdir(parents=True)
    (ui / "a.py").write_text('"""文档。"""\n# 注释\nx = 1\nTEXT = "取消"\n', encoding="utf-8")
    (ui / "a.kv").write_text('# 注释\n<A>:\n    text: "返回"\n', encoding="utf-8")
    (ui / "services.py").write_text('C = """\n[identity]\nname = "机"\n"""\nT = "打印时间"\n',
                                    encoding="utf-8")
    (tmp_path / "kiosk" / "receipts.py").write_text('UNIT = "工作日"\nTITLE = "受理回执"\n',
                                                    encoding="utf-8")
    (tmp_path / "kiosk" / "session").mkdir()
    (tmp_path / "kiosk" / "session" / "applicant.py").write_text(
        'LONG = "长期"\nraise InputError("bad_card", "证件信息读取不完整。")\n', encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "KIOSK", tmp_path / "kiosk")
    found = [":".join(f.split(":")[:2]) for f in _chinese_in_code()]
    assert found == ["kiosk/ui/a.kv:3", "kiosk/ui/a.py:4", "kiosk/ui/services.py:5",
                     "kiosk/receipts.py:2", "kiosk/session/applicant.py:2"]


# -- error texts (kiosk.i18n.explain reads errors.toml) ------------------------------------------
#: An error class's call → the prefix of the keys of its codes.
RAISED = {"InputError": "err.input.", "FieldError": "err.field.", "Problem": "err.eligibility."}


def _error_keys_in_code() -> set[str]:
    code = _code()
    raised = re.findall(r'\b(InputError|FieldError|Problem)\(\s*"(\w+)"', code)
    named = re.findall(r"""["'](err\.[\w.]+)["']""", code)  # a variant: key="err.field.bad_year"
    return {RAISED[cls] + c for cls, c in raised} | set(named)


def test_every_error_raised_has_a_text_and_every_error_text_is_used():
    keys = _error_keys_in_code()
    assert {"err.input.bad_number", "err.field.too_short", "err.eligibility.too_young",
            "err.field.bad_year", "err.session.not_now"} <= keys  # the scan sees them
    texts = set(_files("zh")["errors.toml"])
    assert keys - texts == set(), "raised without a text"
    errors = {k for k in texts if k.startswith("err.")}
    assert errors - keys == set(), "a text nothing raises"


def test_every_card_type_has_a_name():
    from typing import get_args

    from kiosk.catalog.model import CardType

    keys = _files("zh")["errors.toml"]
    assert {k.removeprefix("card_type.") for k in keys if k.startswith("card_type.")} == set(get_args(CardType))
