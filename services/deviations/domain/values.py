"""Value objects of deviation reporting: the organisations (verksamheter), their side of the
collaboration (huvudman: kommun or region) and the agreed categories (R23)."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class OrganisationKind(str, enum.Enum):
    """Verksamheter that collaborate around children and young people (R19)."""

    SCHOOL = "school"
    SOCIAL_SERVICES = "social_services"
    CHILD_PSYCHIATRY = "child_psychiatry"
    CHILD_MEDICINE = "child_medicine"
    HABILITATION = "habilitation"


ORGANISATION_LABELS = {
    OrganisationKind.SCHOOL: "Skola",
    OrganisationKind.SOCIAL_SERVICES: "Socialtjänst",
    OrganisationKind.CHILD_PSYCHIATRY: "Barn- och ungdomspsykiatri (BUP)",
    OrganisationKind.CHILD_MEDICINE: "Barnmedicin",
    OrganisationKind.HABILITATION: "Habilitering",
}


class Side(str, enum.Enum):
    """Which principal (huvudman) the organisation belongs to."""

    MUNICIPALITY = "municipality"
    REGION = "region"


SIDE_LABELS = {Side.MUNICIPALITY: "kommunen", Side.REGION: "regionen"}


class Category(str, enum.Enum):
    """The agreed categories of deviations (R23)."""

    GUIDELINES_NOT_FOLLOWED = "guidelines_not_followed"
    AGREED_MEASURES_NOT_CARRIED_OUT = "agreed_measures_not_carried_out"
    RESPONSIBILITY_DISPUTED = "responsibility_disputed"
    PARTY_ABSENT_FROM_MEETINGS = "party_absent_from_meetings"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.GUIDELINES_NOT_FOLLOWED: "Överenskomna riktlinjer eller rutiner följs inte",
    Category.AGREED_MEASURES_NOT_CARRIED_OUT: "Överenskomna insatser (t.ex. i SIP) genomförs inte",
    Category.RESPONSIBILITY_DISPUTED: "Parterna är oense om ansvaret",
    Category.PARTY_ABSENT_FROM_MEETINGS: "En part deltar inte i möten",
    Category.OTHER: "Annat",
}


@dataclass(frozen=True)
class InvolvedOrganisation:
    kind: OrganisationKind
    side: Side

    @classmethod
    def parse(cls, kind: str, side: str) -> "InvolvedOrganisation":
        return cls(OrganisationKind(kind), Side(side))

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "side": self.side.value}


def is_region_code(code: str) -> bool:
    """Länskod (two digits, e.g. "01" for Region Stockholm) as opposed to a kommunkod (four)."""
    return len(code) == 2 and code.isdigit()
