"""Code tables and checks the card text relies on: gender (GB/T 2261.1), nation
(GB/T 3304, 56 nations plus 97 and 98), the GB 11643 check digit, and the masks that
keep personal data out of logs and screens (``张*三``, ``110105********002X``)."""

from __future__ import annotations

import re
from datetime import date

from drivers.errors import CodecError
from drivers.privacy import mask_name, mask_number  # noqa: F401  (re-exported for the card)


class CardFieldError(CodecError):
    """A field of the card's text that is not what the standard allows."""

    code = "card_field"


class CheckDigitError(CardFieldError):
    code = "card_check_digit"


class CardDateError(CardFieldError):
    code = "card_date"


#: GB/T 2261.1 gender codes.
GENDERS: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

#: GB/T 3304 nation codes; the name as the card prints it (民族 汉, not 汉族).
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝",
    "08": "壮", "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白",
    "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤",
    "22": "畲", "23": "高山", "24": "拉祜", "25": "水", "26": "东乡", "27": "纳西", "28": "景颇",
    "29": "柯尔克孜", "30": "土", "31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗",
    "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌", "40": "普米",
    "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺",
    "97": "其他", "98": "外国血统中国籍人士",
}
NATION_CODES: dict[str, str] = {name: code for code, name in NATIONS.items()}

LONG_TERM = "长期"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS8 = re.compile(r"[0-9]{8}")


def gender_name(code: str) -> str:
    try:
        return GENDERS[code]
    except KeyError:
        raise CardFieldError(f"unknown gender code {code!r}") from None


def nation_name(code: str) -> str:
    try:
        return NATIONS[code]
    except KeyError:
        raise CardFieldError(f"unknown nation code {code!r}") from None


def check_digit(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise CardFieldError("a check digit needs 17 ASCII digits")
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def verify_id18(number: str) -> date:
    """Check an 18-character number (citizen, HMT permit, 2023 foreigner card).

    Returns the birth date the number holds (digits 7-14); raises a typed error when
    the format, the check digit or that date is wrong.
    """
    if not _ID18.fullmatch(number):
        raise CardFieldError("ID number is not 17 digits and a check character")
    if check_digit(number[:17]) != number[17]:
        raise CheckDigitError("ID number check digit is wrong")
    return parse_date(number[6:14], "birth date in the ID number")


def parse_date(text: str, what: str = "date") -> date:
    """``YYYYMMDD`` (ASCII digits only) to a real date, or :class:`CardDateError`."""
    if not _DIGITS8.fullmatch(text):
        raise CardDateError(f"{what} is not YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as err:
        raise CardDateError(f"{what} is not a real date") from err


def parse_valid_to(text: str) -> date | str:
    return LONG_TERM if text == LONG_TERM else parse_date(text, "valid-to date")


def format_date(value: date | str) -> str:
    """The card's own form: ``YYYYMMDD`` or ``长期``."""
    return value if isinstance(value, str) else value.strftime("%Y%m%d")


