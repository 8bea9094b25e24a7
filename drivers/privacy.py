"""Masking personal data for screens, paper, reprs and logs: one rule everywhere.

``张小三`` → ``张*三``, ``110105194912310021`` → ``110105********0021``; a scanned code
(which may carry an ID number) shows only its start.
"""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``张小三`` → ``张*三``, ``欧阳小明`` → ``欧**明``; the middle never shows."""
    chars = list(name)  # code points: a non-BMP character is one character
    if len(chars) <= 1:
        return "*" * len(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


def is_name_label(label: str) -> bool:
    """A form field asking for a person's name (配偶姓名, 新生儿姓名, 对方姓名或单位): its value
    is masked like a name, and the pinyin keyboard types it in name mode. One rule for both."""
    return "姓名" in label


def mask_number(number: str) -> str:
    """``110105199003071234`` → ``110105********1234``: region and last four kept."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_code(text: str) -> str:
    """A scanned code, safe for logs: its first four characters and its length."""
    if len(text) <= 4:
        return "*" * len(text)
    return f"{text[:4]}…({len(text)} chars)"


_DISTRICT = re.compile(r"^.{2,}?(?:区|县|旗)")
_CITY = re.compile(r"^.{2,}?市")


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``; a landline keeps only its last four."""
    digits = str(phone).strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_address(address: str) -> str:
    """Only the district shows: ``河南省郑州市二七区大学路12号`` → ``河南省郑州市二七区****``."""
    text = str(address).strip()
    if not text:
        return ""
    found = _DISTRICT.match(text) or _CITY.match(text)
    keep = found.group(0) if found and len(found.group(0)) < len(text) else text[: min(6, len(text) // 2)]
    return keep + "****"
