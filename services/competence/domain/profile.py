"""The special educator's profile (seed §2): degree, qualification (behörighet) and
specialisations. Kept by the special educator; every change is an event."""
from __future__ import annotations

from typing import Iterable
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from competence.domain.rules import RuleBroken
from competence.domain.values import Qualification, Specialisation, text


class ProfileNamesADegree(RuleBroken):
    rule_id = "R12"
    field = "degree"
    message = "Ange examen, till exempel ”Specialpedagogexamen, 2015” (högst 300 tecken)."


class QualificationIsFromTheList(RuleBroken):
    rule_id = "R12"
    field = "qualification"
    message = "Välj behörighet ur listan."


class SpecialisationsAreFromTheList(RuleBroken):
    rule_id = "R12"
    field = "specialisations"
    message = "Välj inriktningar ur listan."


def _checked(degree: str, qualification: str, specialisations: Iterable[str]) -> tuple[str, str, list[str]]:
    degree = text(degree, 300, ProfileNamesADegree)
    try:
        qualification = Qualification(qualification).value
    except ValueError:
        raise QualificationIsFromTheList() from None
    try:
        chosen = sorted({Specialisation(s).value for s in specialisations})
    except ValueError:
        raise SpecialisationsAreFromTheList() from None
    return degree, qualification, chosen


class EducatorProfile(Aggregate):
    @staticmethod
    def id_for(municipality: str, user_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"stodspar:competence:profile:{municipality}:{user_id}")

    @staticmethod
    def create_id(municipality: str, user_id: str, **_: object) -> UUID:
        return EducatorProfile.id_for(municipality, user_id)

    @classmethod
    def record(cls, *, municipality: str, user_id: str, degree: str, qualification: str,
               specialisations: Iterable[str]) -> "EducatorProfile":
        degree, qualification, chosen = _checked(degree, qualification, specialisations)
        return cls(municipality=municipality, user_id=user_id, degree=degree, qualification=qualification,
                   specialisations=chosen)

    @event("Recorded")
    def __init__(self, municipality: str, user_id: str, degree: str, qualification: str, specialisations: list[str]) -> None:
        self.municipality = municipality
        self.user_id = user_id
        self.degree = degree
        self.qualification = qualification
        self.specialisations = list(specialisations)

    def change(self, *, degree: str, qualification: str, specialisations: Iterable[str]) -> bool:
        degree, qualification, chosen = _checked(degree, qualification, specialisations)
        if (degree, qualification, chosen) == (self.degree, self.qualification, self.specialisations):
            return False
        self._changed(degree=degree, qualification=qualification, specialisations=chosen)
        return True

    @event("Changed")
    def _changed(self, degree: str, qualification: str, specialisations: list[str]) -> None:
        self.degree, self.qualification, self.specialisations = degree, qualification, list(specialisations)
