"""Masking personal data for screens, paper, reprs and logs: one rule everywhere.

``张小三`` → ``张*三``, ``110105194912310021`` → ``110105********0021``; a scanned code
(which may carry an ID number) shows only its start.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``张小三`` → ``张*三``, ``欧阳小明`` → ``欧**明``; the middle never shows."""
    chars = list(name)  # code points: a non-BMP character is one character
    if len(chars) <= 1:
        return "*" * len(chars)
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]


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
