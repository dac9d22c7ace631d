"""Numbers that identify a person, found in normalised text (deidentify.normalise).

- Identity numbers: personnummer and samordningsnummer (day + 60), 10 or 12 digits, with any
  separator or none ("120914-2387", "20120914 2387", "120914 - 2387", "201209142387"), and
  interim or reserve numbers with letters in the last four ("140302-T123", "20140302-TF23").
  The check digit is not required: a typo is still the child's number. Inside a longer run of
  digits, any 10- or 12-digit window with a plausible date and a right check digit counts.
- Phone numbers: Swedish national (0…), +46 and 0046, with spaces, hyphens, slashes or "(0)".
- Postcodes: "123 45" (also after "SE-"), or five digits before a place name.

A number labelled as a reference ("dnr", "ärendenr", "OCR", "org.nr", "fakturanr" …) is a
reference, not a person's number, and is left alone.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterator

_SERIAL = r"(?:\d{4}|[A-Za-z]\d{3}|[A-Za-z]{2}\d{2}|\d[A-Za-z]\d{2})"
IDENTITY = re.compile(
    r"(?<![\w+])(?P<date>(?:18|19|20)\d{6}|\d{6}|(?:(?:18|19|20)\d{2}|\d{2}) \d{2} \d{2}(?=\s{0,2}[-+ ]\s{0,2}\w{4}(?!\w)))"
    r"(?P<sep>\s{0,2}[-+]\s{0,2}|[ ./])?"
    r"(?P<serial>" + _SERIAL + r")(?![\w])"
)
LONG_RUN = re.compile(r"(?<![\w])\d{11,}(?![\w])")
PHONE = re.compile(
    r"(?<![\w+\-./:])(?:"
    r"(?:\+|00)46\s?(?:\(0\)\s?)?[1-9](?:[ .-]?\d){6,9}"  # +46 70 123 45 67, 0046 8 712 34 56
    r"|(?:\+|00)(?!46)[1-9]\d{0,2}[ .-]?(?:\(0\)\s?)?\d(?:[ .-]?\d){6,12}"  # +380 67 123 4567: another country's
    r"|\(?0[1-9]\d{0,3}\)?\s?(?:[-/.]\s?)?\d(?:[ .-]?\d){4,8}"  # 070-123 45 67, (08) 712 34 56, 070.911.23.45
    r")(?![\w])"
)
POSTCODE = re.compile(r"(?<![\w-])(?:SE-?\s?)?\d{3} \d{2}(?![\w-]|[ .,]?\d)")
POSTCODE_LABELLED = re.compile(r"\b(?:postnr|postnummer)\.?:?\s*(?P<code>\d{3}\s?\d{2})(?!\d)", re.IGNORECASE)
POSTCODE_BEFORE_PLACE = re.compile(r"(?<![\w-])\d{5}(?=\s+[A-ZÅÄÖ][a-zåäöé]+)")
# Words that say the number after them is a reference, not a person's. Only unambiguous ones:
# a short label ("ref", "id") could be put before a personnummer to hide it.
REFERENCE_LABEL = re.compile(
    r"(?:\b(?:dnr|diarienr|diarienummer|ärendenr|ärendenummer|ärende-nr|referensnr|referensnummer|remissnr|"
    r"remissnummer|remiss-id|ocr|ocr-nr|ocr-nummer|ocr-referens|fakturanr|fakturanummer|org\.?\s?nr|orgnr|"
    r"organisationsnummer|bankgiro|plusgiro|kundnr|kundnummer|avinr|ordernr|beställningsnr|bokningsnr|"
    r"bokningsnummer)\s*[.:#]?\s*)$",
    re.IGNORECASE,
)
# A weaker label ("ref.", "ärende") makes a number a reference only when it cannot be a
# personnummer: its check digit is wrong.
WEAK_REFERENCE_LABEL = re.compile(r"\b(?:ref|referens|ärende|ärendet|id|nr|löpnr|löpnummer)\s*[.:#]?\s*$", re.IGNORECASE)
MOBILE = re.compile(r"07[02369]\d{7}")


def luhn_ok(ten: str) -> bool:
    total = 0
    for index, char in enumerate(ten[:9]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(ten[9])


def plausible_date(digits: str) -> bool:
    """Whether 6 (YYMMDD) or 8 (YYYYMMDD) digits are a date, samordningsnummer days included."""
    if len(digits) == 6:
        return any(plausible_date(century + digits) for century in ("19", "20"))
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if day > 60:
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


REFERENCE_AFTER = re.compile(
    r"\s*[(,:–-]?\s*(?:som\s+är\s+)?(?:ett\s+|vårt\s+|deras\s+)?(?:dnr|diarienummer|ärendenummer|ärendenr|referensnummer|"
    r"referens|remissnummer|fakturanummer|ocr|organisationsnummer|kundnummer)\b",
    re.IGNORECASE,
)


def _is_reference(text: str, start: int, end: int | None = None) -> bool:
    """Whether the number at [start, end) is labelled as a reference, before or right after."""
    if REFERENCE_LABEL.search(text[max(0, start - 30) : start]):
        return True
    return end is not None and bool(REFERENCE_AFTER.match(text, end))


def identity_numbers(text: str) -> Iterator[tuple[int, int]]:
    """Spans of identity numbers in normalised text."""
    for match in IDENTITY.finditer(text):
        written_date = re.sub(r"\D", "", match["date"])  # "2012 10 24" as "20121024"
        if len(written_date) not in (6, 8) or not plausible_date(written_date) \
                or _is_reference(text, match.start(), match.end()):
            continue
        if " " in match["date"] and len(written_date) == 8 and int(written_date[:4]) > date.today().year - 2:
            continue  # "2026 03 12 1330": a recent date and a time, not someone's birth
        digits = written_date[-6:] + match["serial"]
        if WEAK_REFERENCE_LABEL.search(text[max(0, match.start() - 20):match.start()]) and digits.isdigit() \
                and not luhn_ok(digits):
            continue
        if (
            match["sep"] is None
            and len(match["date"]) == 6
            and digits.isdigit()
            and MOBILE.fullmatch(digits)
            and not luhn_ok(digits)
        ):
            continue  # 0701234567: a mobile number, found as one (phones)
        if match["sep"] in (".", "/") and not (digits.isdigit() and luhn_ok(digits)):
            continue  # 2012.03.05 or 12/4 are dates; only a right check digit makes it a number
        yield match.start(), match.end()
    for match in LONG_RUN.finditer(text):
        run = match.group()
        if len(run) in (10, 12) or _is_reference(text, match.start(), match.end()):
            continue
        for width in (12, 10):
            if any(
                (width == 10 or run[s : s + 2] in ("18", "19", "20"))
                and plausible_date(run[s : s + width - 4])
                and luhn_ok(run[s + width - 10 : s + width])
                for s in range(0, len(run) - width + 1)
            ):
                yield match.start(), match.end()
                break


def phone_digits(number: str) -> str:
    """A phone number's digits in national form (0…), for comparing with known numbers."""
    digits = re.sub(r"\(0\)", "", number)
    digits = re.sub(r"\D", "", digits)
    if number.lstrip().startswith("+46"):
        digits = "0" + digits[2:]
    elif digits.startswith("0046"):
        digits = "0" + digits[4:]
    return digits


def phones(text: str) -> Iterator[tuple[int, int]]:
    for match in PHONE.finditer(text):
        digits = phone_digits(match.group())
        foreign = match.group().startswith(("+", "00")) and not digits.startswith("0")
        if "." in match.group() and len(digits) < 10:
            continue  # "09.00-11.30": times, not a number written with dots
        if (8 <= len(digits) <= 11 or foreign and len(digits) <= 15) and not _is_reference(text, match.start()):
            yield match.start(), match.end()


def postcodes(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (POSTCODE, POSTCODE_BEFORE_PLACE):
        for match in pattern.finditer(text):
            if not _is_reference(text, match.start()):
                yield match.start(), match.end()
    for match in POSTCODE_LABELLED.finditer(text):
        yield match.span("code")
