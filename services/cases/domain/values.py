"""Value objects of the support case, and how its typed state changes: a frozen value is
never edited, it is replaced (`replaced_at`), so a part of the case read by a view cannot
change under it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from cases.domain.rules import PupilBirthDateMustBePlausible
from eventkit import personnummer
from eventkit.dates import local_today

T = TypeVar("T")


def replaced_at(items: tuple[T, ...], index: int, item: T) -> tuple[T, ...]:
    """`items` with the one at `index` (from the end if negative) replaced by `item`."""
    index = range(len(items))[index]
    return (*items[:index], item, *items[index + 1:])


class InvalidPersonalIdentityNumber(ValueError):
    pass


@dataclass(frozen=True)
class PersonalIdentityNumber:
    """Personnummer or samordningsnummer, kept in one canonical form, YYYYMMDD-NNNN, however it
    was typed (full-width or Arabic-Indic digits, an en dash, a no-break space: normalised
    first, deidentify.normalise), so one child never gets two keys. A birth date after today
    is refused."""

    value: str

    @classmethod
    def parse(cls, raw: str, today: date | None = None) -> "PersonalIdentityNumber":
        if not "".join((raw or "").split()):
            raise InvalidPersonalIdentityNumber("Ange elevens personnummer.")
        try:
            digits = personnummer.twelve_digits(raw)
        except personnummer.NotAPersonnummer:
            raise InvalidPersonalIdentityNumber(
                "Personnumret är inte giltigt – kontrollera datum och kontrollsiffra."
            ) from None
        if personnummer.birth_date(digits) > (today or local_today()):
            raise InvalidPersonalIdentityNumber("Födelsedatumet i personnumret ligger i framtiden – kontrollera numret.")
        return cls(f"{digits[:8]}-{digits[8:]}")

    @property
    def birth_date(self) -> date:
        """The date of birth the number says (a samordningsnummer's day less 60)."""
        return personnummer.birth_date(self.value.replace("-", ""))

    def __str__(self) -> str:  # never log this; it is personal data
        return self.value


def plausible_pupil(pupil: PersonalIdentityNumber, today: date) -> PersonalIdentityNumber:
    """The pupil's number if its birth date is plausible for a pupil (eventkit.personnummer:
    at least one and at most 25 years ago); PupilBirthDateMustBePlausible otherwise."""
    if not personnummer.plausible_for_a_pupil(pupil.birth_date, today):
        raise PupilBirthDateMustBePlausible()
    return pupil


@dataclass(frozen=True)
class RegisterPupil:
    """A pupil as the directory (the municipality's SS 12000 register) answers for the acting
    user: the directory's id (the case's `pupil_ref`), the personnummer and name (personal data:
    kept only under the pupil's key), whether the register protects the pupil's identity, and
    the units where the pupil is placed now."""

    pupil_id: str
    personal_number: str
    name: str
    protected: bool = False
    school_units: tuple[str, ...] = ()
    removed_from_register: bool = False


@dataclass(frozen=True)
class RegisterChange:
    """What the directory published of a pupil (DirectoryPersonChanged): structure only — whether
    the register protects the pupil, whether the pupil was removed from it, and the placements
    (unit, last day or None while it lasts)."""

    pupil_ref: str
    municipality: str
    protected: bool
    removed_from_register: bool
    placements: tuple[tuple[str, date | None], ...]
    changed_on: date

    def left_on(self, school_unit: str) -> date | None:
        """The day the pupil's placement at `school_unit` ended, if every placement there has
        ended (None while one lasts, or if the register names none there)."""
        ends = [end for unit, end in self.placements if unit == school_unit]
        if not ends or any(end is None for end in ends):
            return None
        return max(ends)


@dataclass(frozen=True)
class SchoolUnit:
    """Skolenhet, identified by its code in the municipality's organisation."""

    code: str
