"""Value objects of the support case."""
from __future__ import annotations

from dataclasses import dataclass

from personnummer import personnummer


class InvalidPersonalIdentityNumber(ValueError):
    pass


@dataclass(frozen=True)
class PersonalIdentityNumber:
    """Personnummer or samordningsnummer, kept in the long form YYYYMMDD-NNNN."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> "PersonalIdentityNumber":
        text = (raw or "").strip()
        if not text:
            raise InvalidPersonalIdentityNumber("Ange elevens personnummer.")
        try:
            digits = personnummer.parse(text).format(long_format=True)
        except personnummer.PersonnummerException:
            raise InvalidPersonalIdentityNumber(
                "Personnumret är inte giltigt – kontrollera datum och kontrollsiffra."
            ) from None
        return cls(f"{digits[:8]}-{digits[8:]}")

    def __str__(self) -> str:  # never log this; it is personal data
        return self.value


@dataclass(frozen=True)
class SchoolUnit:
    """Skolenhet, identified by its code in the municipality's organisation."""

    code: str
