"""The check: every detector over one normalised text, findings without overlaps, in the
original text's positions; and redaction.

What a finding's kind allows (R22): identity numbers, dates of birth and registered names can
only be redacted (`Kind.redact_only`); the rest can be confirmed by the manager as not being
about a person (an organisation's number, a place, a word).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from deidentify import contact, dates, numbers
from deidentify.names import CAPITALISED, LEXICON, REGISTERED, Lexicon, Register, find_names
from deidentify.normalise import normalise
from deidentify.organisations import EVERYWHERE, KnownOrganisations


class Kind(str, enum.Enum):
    IDENTITY_NUMBER = "identity_number"
    BIRTH_DATE = "birth_date"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    POSTCODE = "postcode"
    WITHHELD = "withheld"  # a name the register may not confirm to this user (R14): the text is refused
    REGISTERED_NAME = "registered_name"
    NAME = "name"
    CAPITALISED_WORD = "capitalised_word"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def replacement(self) -> str:
        return _REPLACEMENTS[self]

    @property
    def redact_only(self) -> bool:
        return self in (Kind.IDENTITY_NUMBER, Kind.BIRTH_DATE, Kind.REGISTERED_NAME, Kind.WITHHELD)


_LABELS = {
    Kind.IDENTITY_NUMBER: "Personnummer, samordningsnummer eller reservnummer",
    Kind.BIRTH_DATE: "Födelsedatum",
    Kind.EMAIL: "E-postadress",
    Kind.PHONE: "Telefonnummer",
    Kind.ADDRESS: "Gatuadress",
    Kind.POSTCODE: "Postnummer",
    Kind.REGISTERED_NAME: "Namn på en elev eller vårdnadshavare",
    Kind.WITHHELD: "Uppgift som inte får lämnas ut",
    Kind.NAME: "Namn",
    Kind.CAPITALISED_WORD: "Ord med stor bokstav som kan vara ett namn",
}
_REPLACEMENTS = {
    Kind.IDENTITY_NUMBER: "[personnummer borttaget]",
    Kind.BIRTH_DATE: "[födelsedatum borttaget]",
    Kind.EMAIL: "[e-post borttagen]",
    Kind.PHONE: "[telefonnummer borttaget]",
    Kind.ADDRESS: "[adress borttagen]",
    Kind.POSTCODE: "[postnummer borttaget]",
    Kind.REGISTERED_NAME: "[namn borttaget]",
    Kind.WITHHELD: "[namn borttaget]",
    Kind.NAME: "[namn borttaget]",
    Kind.CAPITALISED_WORD: "[namn borttaget]",
}
# Where two findings overlap, the one earlier here wins.
_PRIORITY = [Kind.WITHHELD, Kind.IDENTITY_NUMBER, Kind.EMAIL, Kind.BIRTH_DATE, Kind.PHONE, Kind.ADDRESS, Kind.POSTCODE,
             Kind.REGISTERED_NAME, Kind.NAME, Kind.CAPITALISED_WORD]
_NAME_KINDS = {REGISTERED: Kind.REGISTERED_NAME, LEXICON: Kind.NAME, CAPITALISED: Kind.CAPITALISED_WORD}


@dataclass(frozen=True)
class Finding:
    field: str
    kind: Kind
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """What the manager's decision refers to: the same text of the same kind in the same field."""
        return f"{self.field}|{self.kind.value}|{self.text}"

    @property
    def label(self) -> str:
        return self.kind.label


def check(
    text: str,
    *,
    lexicon: Lexicon,
    register: Register | None = None,
    registered_spans: Iterable[tuple[int, int, str]] = (),
    known: KnownOrganisations = EVERYWHERE,
    field: str = "description",
    today: date | None = None,
) -> list[Finding]:
    """Everything in `text` that could identify a person, in order, without overlaps.
    `registered_spans` are register matches in the *normalised* text made by the service that
    keeps the register (names.register_matches), for when the register is not here; one
    answered "protected" (a name the register may not confirm to this user) is a WITHHELD
    finding, which the deviations domain refuses without saying whose name it is."""
    registered_spans = list(registered_spans)
    normal = normalise(text)
    plain = normal.text
    found: list[tuple[Kind, int, int]] = [(Kind.WITHHELD, s, e) for s, e, how in registered_spans if how == "protected"]
    found += [(Kind.IDENTITY_NUMBER, s, e) for s, e in numbers.identity_numbers(plain)]
    found += [(Kind.EMAIL, s, e) for s, e in contact.emails(plain)]
    found += [(Kind.BIRTH_DATE, s, e) for s, e in dates.birth_dates(plain, today)]
    public = []  # organisations' own numbers: neither findings nor anything inside them
    for s, e in numbers.phones(plain):
        (public if known.is_public_number(plain[s:e]) else found).append((Kind.PHONE, s, e))
    organisations = list(known.spans(plain)) + [(s, e) for _, s, e in public]
    found += [(Kind.ADDRESS, s, e) for s, e in contact.street_addresses(plain)]
    found += [(Kind.POSTCODE, s, e) for s, e in numbers.postcodes(plain)
              if not any(os_ <= s and e <= oe for os_, oe in organisations)]
    taken = [(s, e) for _, s, e in found]
    for span in find_names(plain, lexicon, register or Register(), organisations + taken, registered_spans):
        found.append((_NAME_KINDS[span.strength], span.start, span.end))
    kept: list[tuple[Kind, int, int]] = []
    for kind, start, end in sorted(found, key=lambda f: (_PRIORITY.index(f[0]), -(f[2] - f[1]), f[1])):
        if all(end <= s or start >= e for _, s, e in kept):
            kept.append((kind, start, end))
    findings = []
    for kind, start, end in sorted(kept, key=lambda f: f[1]):
        first, last = normal.original_span(start, end)
        findings.append(Finding(field, kind, first, last, text[first:last]))
    return findings


def redact(text: str, findings: Iterable[Finding]) -> str:
    """`text` with each finding replaced by a marker saying what was removed."""
    result = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        result = result[: finding.start] + finding.kind.replacement + result[finding.end :]
    return result


def _numbers_and_birth_dates(text: str, field: str = "description", today: date | None = None) -> list[Finding]:
    normal = normalise(text)
    spans = [(Kind.IDENTITY_NUMBER, s, e) for s, e in numbers.identity_numbers(normal.text)]
    spans += [(Kind.BIRTH_DATE, s, e) for s, e in dates.birth_dates(normal.text, today)
              if all(e <= s2 or s >= e2 for _, s2, e2 in spans)]
    found = []
    for kind, start, end in sorted(spans, key=lambda f: f[1]):
        first, last = normal.original_span(start, end)
        found.append(Finding(field, kind, first, last, text[first:last]))
    return found


def identity_numbers_in(text: str) -> list[Finding]:
    """The identity numbers in `text`, in every form (no lexicon needed)."""
    return [f for f in _numbers_and_birth_dates(text) if f.kind is Kind.IDENTITY_NUMBER]


def never_sent_in(text: str) -> list[Finding]:
    """What may never leave the municipality, whoever decides: identity numbers and dates of
    birth. The last check before the regional stream; needs neither lexicon nor register."""
    return _numbers_and_birth_dates(text)
