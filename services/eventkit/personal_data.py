"""Finding Swedish personal identity numbers in free text, for every boundary that must not
let one through (the deviations service before sending, the regional stream before publishing).

A personnummer or samordningsnummer (day + 60) is 10 or 12 digits, written with or without a
dash, plus or space before the last four. In its usual shape a wrong check digit still counts
(a typo is still a child); inside a longer run of digits any 10- or 12-digit window with a
right check digit counts, so digits written next to one cannot hide it.
"""
from __future__ import annotations

import re
from datetime import date

# A run of digits with single separators between them, optionally led by + (phone numbers).
DIGIT_RUN = re.compile(r"\+?\d(?:[-+ ./]?\d)*")
_SHAPE = re.compile(r"(?:\d{2})?\d{6}[-+ ]?\d{4}")


def _date_plausible(digits12: str) -> bool:
    year, month, day = int(digits12[:4]), int(digits12[4:6]), int(digits12[6:8])
    if day > 60:
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def luhn_ok(ten: str) -> bool:
    total = 0
    for index, char in enumerate(ten[:9]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(ten[9])


def shaped_like_identity_number(digits: str) -> bool:
    if not digits.isascii():
        return False
    if len(digits) == 12:
        return digits[:2] in ("18", "19", "20") and _date_plausible(digits)
    if len(digits) == 10:
        return _date_plausible("20" + digits) or _date_plausible("19" + digits)
    return False


def run_is_identity_number(run: str) -> bool:
    """Whether a run of digits (as matched by DIGIT_RUN) is, or hides, an identity number."""
    digits = re.sub(r"[^0-9]", "", run)
    if len(digits) < 10:
        return False
    if shaped_like_identity_number(digits) and (luhn_ok(digits[-10:]) or _SHAPE.fullmatch(run)):
        return True
    for width in (12, 10):
        for start in range(0, len(digits) - width + 1):
            window = digits[start : start + width]
            if shaped_like_identity_number(window) and luhn_ok(window[-10:]):
                return True
    return False


def identity_number_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in DIGIT_RUN.finditer(text) if run_is_identity_number(m.group())]


def redact_identity_numbers(text: str, replacement: str = "[personnummer borttaget]") -> str:
    for start, end in reversed(identity_number_spans(text)):
        text = text[:start] + replacement + text[end:]
    return text
