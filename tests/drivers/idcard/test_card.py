"""Decoding a card's text: all four layouts (resident, J, I, Y) built field by field from
the published widths, non-BMP names and ``·``, code tables, GB 11643 check digits and
real dates enforced with typed errors, length fields parsed (not assumed), masking, the
JSON form, and fuzzes proving any bytes give a card or a typed error — including read
payloads whose length fields add up around real, altered or random texts, so that the
fuzz reaches the field checks (a test proves it does)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from drivers.errors import CodecError
from drivers.idcard import card as c
from drivers.idcard import codes
from drivers.idcard.samples import SAMPLES


def field(value: str, width: int) -> bytes:
    raw = value.encode("utf-16-le")
    assert len(raw) <= width
    return raw + " ".encode("utf-16-le") * ((width - len(raw)) // 2)


def resident_text(name="李小明", gender="1", nation="01", birth="19900307",
                  address="北京市朝阳区光华路10号院1号楼2单元301室", number="110105199003071239",
                  authority="北京市公安局朝阳分局", start="20150601", end="20350601", tail=None) -> bytes:
    text = (field(name, 30) + field(gender, 2) + field(nation, 4) + field(birth, 16) + field(address, 70)
            + field(number, 36) + field(authority, 30) + field(start, 16) + field(end, 16))
    return text + (tail if tail is not None else field("", 36))


def test_resident_fields_by_offset() -> None:
    card = c.decode_text(resident_text())
    assert card.card_type == c.RESIDENT
    assert (card.name, card.gender, card.nation, card.birth) == ("李小明", "男", "汉", date(1990, 3, 7))
    assert card.address == "北京市朝阳区光华路10号院1号楼2单元301室"
    assert (card.id_number, card.authority) == ("110105199003071239", "北京市公安局朝阳分局")
    assert (card.valid_from, card.valid_to) == (date(2015, 6, 1), date(2035, 6, 1))
    assert card.english_name is None and card.pass_number is None


def test_resident_with_zero_reserved_area() -> None:
    assert c.decode_text(resident_text(tail=bytes(36))).card_type == c.RESIDENT


def test_long_term_card() -> None:
    card = c.decode_text(resident_text(end="长期"))
    assert card.valid_to == "长期"
    assert not card.is_expired(date(2999, 1, 1))
    assert card.to_dict()["valid_to"] == "长期"


@pytest.mark.parametrize(("name", "units"), [("王𠮷", 3), ("阿依古丽·买买提", 8), ("𠀀𠀁𠀂𠀃𠀄𠀅𠀆", 14)])
def test_names_outside_the_bmp_and_with_middle_dot(name: str, units: int) -> None:
    assert len(name.encode("utf-16-le")) == 2 * units
    assert c.decode_text(resident_text(name=name)).name == name


def test_hmt_residence_permit() -> None:
    text = resident_text(name="陈大文", nation="", number="810000198808082035", birth="19880808",
                         tail=field("H12345678", 18) + field("02", 4) + field("", 6) + field("J", 2)
                         + field("", 6))
    card = c.decode_text(text)
    assert card.card_type == c.HMT_RESIDENCE
    assert (card.pass_number, card.issue_count, card.nation) == ("H12345678", 2, None)
    assert card.to_dict()["pass_number"] == "H12345678" and "nation" in card.to_dict()


def foreign_2017_text(chinese="安娜", number="DEU110089072512", nationality="DEU") -> bytes:
    return (field("MUELLER, ANNA MARIA", 120) + field("2", 2) + field(number, 30) + field(nationality, 6)
            + field(chinese, 30) + field("20180110", 16) + field("20280110", 16) + field("19890725", 16)
            + field("17", 4) + field("1100", 8) + field("I", 2) + field("", 6))


def test_foreign_permanent_2017() -> None:
    card = c.decode_text(foreign_2017_text())
    assert card.card_type == c.FOREIGN_PERMANENT
    assert (card.name, card.english_name, card.gender) == ("安娜", "MUELLER, ANNA MARIA", "女")
    assert (card.nationality, card.card_version, card.authority) == ("DEU", "17", "1100")
    assert (card.birth, card.valid_from, card.valid_to) == (date(1989, 7, 25), date(2018, 1, 10),
                                                           date(2028, 1, 10))
    assert card.nation is None


def test_foreign_2017_without_chinese_name_is_addressed_by_english_name() -> None:
    card = c.decode_text(foreign_2017_text(chinese=""))
    assert card.name == card.english_name == "MUELLER, ANNA MARIA"
    assert c.encode_text(card) == foreign_2017_text(chinese="")


def foreign_2023_text(english: str, chinese: str = "马克") -> bytes:
    return (field(chinese, 30) + field("1", 2) + field("03", 4) + field("19851102", 16)
            + field(english[:35], 70) + field("911840198511020019", 36) + field("", 30)
            + field("20240301", 16) + field("20340301", 16) + field(english[35:], 22) + field("USA", 6)
            + field("Y", 2) + field("USA", 6))


@pytest.mark.parametrize("english", ["SMITH, JOHN", "WILLIAMS-ALEXANDER, MARK JONATHAN CHRISTOPH",
                                     "A" * 34 + " BCDEFGHIJK"])
def test_foreign_permanent_2023(english: str) -> None:
    card = c.decode_text(foreign_2023_text(english))
    assert card.card_type == c.FOREIGN_PERMANENT_2023
    assert (card.name, card.english_name, card.gender) == ("马克", english, "男")
    assert (card.issue_count, card.nationality, card.previous_link) == (3, "USA", "USA")
    assert card.id_number == "911840198511020019" and card.birth == date(1985, 11, 2)
    assert c.encode_text(card) == foreign_2023_text(english)


def test_foreign_2023_english_name_split_after_a_character_outside_the_bmp() -> None:
    english = "A" * 33 + "\U00020BB7" + "BC"  # 35 UTF-16 units fill the first field
    text = bytearray(foreign_2023_text("X"))
    text[52:122] = english[:34].encode("utf-16-le")
    text[220:242] = field("BC", 22)
    card = c.decode_text(bytes(text))
    assert card.english_name == english
    assert c.encode_text(card) == bytes(text)


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_samples_round_trip(key: str) -> None:
    card = SAMPLES[key]
    text = c.encode_text(card)
    assert len(text) == 256
    assert c.decode_text(text, card.photo, card.fingerprint) == card
    for with_fp in (False, True):
        decoded = c.decode_read_payload(c.encode_read_payload(card, with_fp), with_fp)
        assert decoded == card and decoded.photo == card.photo


@pytest.mark.parametrize(("text_len", "photo_len"), [(256, 1024), (256, 0), (256, 1500), (300, 1024)])
def test_lengths_are_parsed_not_assumed(text_len: int, photo_len: int) -> None:
    text = resident_text() + bytes(text_len - 256)
    photo = bytes(range(256)) * (photo_len // 256) + bytes(photo_len % 256)
    payload = text_len.to_bytes(2, "big") + photo_len.to_bytes(2, "big") + text + photo
    card = c.decode_read_payload(payload)
    assert card.name == "李小明" and card.photo == photo


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x01", (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + bytes(1279),
     (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + bytes(1281),
     (100).to_bytes(2, "big") + (0).to_bytes(2, "big") + bytes(100)],
)
def test_bad_read_payloads(payload: bytes) -> None:
    with pytest.raises(CodecError):
        c.decode_read_payload(payload)


def test_fingerprint_payload() -> None:
    card = SAMPLES["fingerprint"]
    payload = c.encode_read_payload(card, with_fingerprint=True)
    assert payload[:6] == bytes.fromhex("0100 0400 0400")
    assert c.decode_read_payload(payload, True).fingerprint == card.fingerprint


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"number": "110105199003071238"}, codes.CheckDigitError),
        ({"number": "11010519900307123X"}, codes.CheckDigitError),
        ({"number": "1101051990030712"}, codes.CardFieldError),
        ({"number": "１１0105199003071239"}, codes.CardFieldError),
        ({"birth": "19900230"}, codes.CardDateError),
        ({"birth": "1990037"}, codes.CardDateError),
        ({"birth": "١٩٩٠٠٣٠٧"}, codes.CardDateError),
        ({"birth": "19900308"}, codes.CardFieldError),  # differs from the number
        ({"start": "20151301"}, codes.CardDateError),
        ({"end": "短期"}, codes.CardDateError),
        ({"start": "20350602"}, codes.CardDateError),  # starts after it ends
        ({"gender": "3"}, codes.CardFieldError),
        ({"nation": "57"}, codes.CardFieldError),
        ({"nation": ""}, codes.CardFieldError),
        ({"name": ""}, codes.CardFieldError),
        ({"tail": field("", 28) + field("Q", 2) + field("", 6)}, c.CardTypeError),
    ],
)
def test_invalid_fields_raise_typed_errors(kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        c.decode_text(resident_text(**kwargs))


def test_lone_surrogate_is_a_codec_error() -> None:
    text = bytearray(resident_text())
    text[0:2] = "\ud842".encode("utf-16-le", "surrogatepass")
    with pytest.raises(codes.CardFieldError):
        c.decode_text(bytes(text))


@pytest.mark.parametrize(
    "text",
    [foreign_2017_text(number="DEU11008907251"), foreign_2017_text(nationality="de"),
     foreign_2023_text("X").replace(field("911840198511020019", 36), field("111840198511020017", 36))],
)
def test_invalid_foreign_cards(text: bytes) -> None:
    with pytest.raises(CodecError):
        c.decode_text(text)


def test_short_text() -> None:
    with pytest.raises(CodecError):
        c.decode_text(resident_text()[:255])


@pytest.mark.parametrize(("code", "name"), [("01", "汉"), ("02", "蒙古"), ("05", "维吾尔"), ("11", "满"),
                                           ("29", "柯尔克孜"), ("56", "基诺"), ("97", "其他"),
                                           ("98", "外国血统中国籍人士")])
def test_nation_codes(code: str, name: str) -> None:
    assert codes.nation_name(code) == name
    assert c.decode_text(resident_text(nation=code)).nation == name


def test_nation_table_is_complete() -> None:
    assert sorted(codes.NATIONS) == [f"{i:02d}" for i in range(1, 57)] + ["97", "98"]
    assert len(set(codes.NATIONS.values())) == 58


@pytest.mark.parametrize(("first17", "check"), [("11010519491231002", "X"), ("44052418800101001", "4"),
                                                ("11010519900307123", "9")])
def test_gb11643_check_digit(first17: str, check: str) -> None:
    assert codes.check_digit(first17) == check


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("张小三", "张*三"), ("王𠮷", "王*"),
                                              ("阿依古丽·买买提", "阿******提"), ("李", "*"), ("", "")])
def test_mask_name(name: str, masked: str) -> None:
    assert codes.mask_name(name) == masked


def test_repr_masks_personal_data() -> None:
    card = SAMPLES["resident"]
    text = repr(card) + str(card)
    assert "110105********1239" in text and "李*明" in text
    for secret in ("李小明", "110105199003071239", "光华路", "1990"):
        assert secret not in text


def test_to_dict_is_json_with_iso_dates() -> None:
    d = SAMPLES["resident"].to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["birth"] == "1990-03-07" and d["valid_from"] == "2015-06-01" and d["valid_to"] == "2035-06-01"
    assert (d["gender"], d["nation"]) == ("男", "汉")
    assert list(d)[:10] == ["card_type", "name", "gender", "nation", "birth", "address", "id_number",
                            "authority", "valid_from", "valid_to"]
    assert "photo_wlt" not in d and len(SAMPLES["resident"].to_dict(include_photo=True)["photo_wlt"]) > 1024


@pytest.mark.parametrize(("today", "expired"), [(date(2020, 5, 10), False), (date(2020, 5, 11), True)])
def test_is_expired(today: date, expired: bool) -> None:
    assert SAMPLES["expired"].is_expired(today) is expired


def test_appended_address() -> None:
    raw = c.encode_appended_address("北京市海淀区中关村大街1号")
    assert len(raw) == 70 and c.decode_appended_address(raw) == "北京市海淀区中关村大街1号"
    with pytest.raises(CodecError):
        c.decode_appended_address(b"\x00")


@settings(max_examples=500, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_fuzz_any_text_gives_a_card_or_a_codec_error(text: bytes) -> None:
    try:
        card = c.decode_text(text)
    except CodecError:
        return
    assert card.card_type in c.CARD_TYPES


def _field_pieces() -> dict[str, dict[str, list[bytes]]]:
    """Each layout's fields as the samples hold them, in bytes: {card type: {field: [values]}}."""
    out: dict[str, dict[str, list[bytes]]] = {kind: {} for kind in c.LAYOUTS}
    for card in SAMPLES.values():
        text, offset = c.encode_text(card), 0
        for name, width in c.LAYOUTS[card.card_type]:
            out[card.card_type].setdefault(name, []).append(text[offset:offset + width])
            offset += width
    return out


FIELD_PIECES = _field_pieces()
field_text = st.text(st.sampled_from("0123456789X 长期汉男女·ABYJI\x00"), max_size=20)


def any_field(kind: str, name: str, width: int) -> st.SearchStrategy[bytes]:
    """A field: a value from a sample of the same type, a short random text, or raw bytes."""
    return st.one_of(
        st.sampled_from(FIELD_PIECES[kind][name]),
        field_text.map(lambda t: (t.encode("utf-16-le") + "  ".encode("utf-16-le") * width)[:width]),
        st.binary(min_size=width, max_size=width),
    )


@st.composite
def layout_texts(draw: st.DrawFn) -> bytes:
    """A sample's 256-byte text with a few fields replaced: it gets past the type mark, so the
    field checks (dates, codes, check digits, names) are what accept or reject it."""
    card = SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))]
    layout = c.LAYOUTS[card.card_type]
    text, offsets, at = c.encode_text(card), [], 0
    for _, width in layout:
        offsets.append(at)
        at += width
    for i in draw(st.lists(st.integers(0, len(layout) - 1), max_size=4)):
        name, width = layout[i]
        piece = draw(any_field(card.card_type, name, width))
        text = text[:offsets[i]] + piece + text[offsets[i] + width:]
    return text


layout_text = layout_texts()
any_text = st.one_of(layout_text, st.binary(min_size=256, max_size=256), st.binary(max_size=300))


@st.composite
def read_payloads(draw: st.DrawFn) -> tuple[bytes, bool, bytes, bytes, bytes | None]:
    """A read reply's payload whose length fields add up, around any text, photo, fingerprint."""
    fp = draw(st.booleans())
    text = draw(any_text)
    photo = draw(st.binary(max_size=1100))
    finger = draw(st.binary(max_size=600)) if fp else None
    parts = [text, photo] + ([finger] if finger is not None else [])
    payload = b"".join(len(x).to_bytes(2, "big") for x in parts) + b"".join(parts)  # type: ignore[arg-type]
    return payload, fp, text, photo, finger


def _decode(payload: bytes, fp: bool) -> c.IdCard | CodecError:
    try:
        return c.decode_read_payload(payload, fp)
    except CodecError as err:
        return err


@settings(max_examples=400, deadline=None)
@given(read_payloads())
def test_fuzz_any_payload_gives_a_card_or_a_codec_error(drawn) -> None:
    payload, fp, text, photo, finger = drawn
    result = _decode(payload, fp)
    if isinstance(result, c.IdCard):  # a card: exactly the parts the lengths point at
        assert result.card_type in c.CARD_TYPES
        assert result.photo == photo and result.fingerprint == finger
        assert c.decode_text(c.encode_text(result)) == result
    else:
        assert isinstance(result, CodecError)
    for card in SAMPLES.values():  # an untouched card decodes whatever photo comes with it
        if text == c.encode_text(card):
            assert result == card


@pytest.mark.parametrize("wanted", ["card", "field_error"])
def test_the_payload_fuzz_reaches_the_text_decoder(wanted: str) -> None:
    """Proof that the fuzz above is not stopped by the length fields: it finds payloads that
    decode to cards and payloads the field checks (not the framing) reject."""
    def reached(drawn) -> bool:
        result = _decode(drawn[0], drawn[1])
        if wanted == "card":
            samples = {c.encode_text(x) for x in SAMPLES.values()}
            return isinstance(result, c.IdCard) and drawn[2] not in samples
        return isinstance(result, codes.CardFieldError) and len(drawn[2]) == c.TEXT_SIZE
    example = find(read_payloads(), reached, settings=settings(max_examples=2000, database=None))
    assert reached(example)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)), st.integers(0, 255), st.integers(0, 255))
def test_fuzz_one_spoilt_byte_never_crashes(key: str, offset: int, value: int) -> None:
    text = bytearray(c.encode_text(SAMPLES[key]))
    text[offset] = value
    try:
        c.decode_text(bytes(text))
    except CodecError:
        pass


chinese = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=7)
rare = st.text(st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF), min_size=1, max_size=7)


@settings(max_examples=200, deadline=None)
@given(name=st.one_of(chinese, rare), birth=st.dates(date(1900, 1, 1), date(2025, 12, 31)),
       seq=st.integers(0, 999), nation=st.sampled_from(sorted(codes.NATIONS)))
def test_fuzz_resident_round_trip(name: str, birth: date, seq: int, nation: str) -> None:
    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    card = replace(SAMPLES["resident"], name=name, birth=birth, nation=codes.NATIONS[nation],
                   id_number=first17 + codes.check_digit(first17),
                   gender="男" if seq % 2 else "女")
    assert c.decode_text(c.encode_text(card)) == card
