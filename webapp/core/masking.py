"""How sensitive numbers are shown outside the file itself."""

import re

# Digits (and an ID's final X) with the spaces or hyphens people type between them.
_NUMBER_LIKE = re.compile(r"[0-9Xx\s-]+")
# More digits than any phone number (a landline with its area code has 12).
_ID_MIN_DIGITS = 13


def looks_like_id_number(text: str | None) -> bool:
    """Text that may be (most of) a resident ID number: never put it in a URL."""
    if not text or not _NUMBER_LIKE.fullmatch(text):
        return False
    return sum(ch in "0123456789Xx" for ch in text) >= _ID_MIN_DIGITS


def mask_id_number(number: str | None) -> str:
    """330203198001011234 -> 330203********1234."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(digits: str | None) -> str:
    """13812345678 -> 138****5678; 057487654321 -> 057*****4321."""
    if not digits:
        return ""
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
