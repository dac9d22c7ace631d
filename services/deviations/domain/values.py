"""Value objects of deviation reporting: the organisations (verksamheter), their side of the
collaboration (huvudman: kommun or region) and the agreed categories (R23), each with its
Swedish label (published as vocabularies by `make contracts`)."""
from __future__ import annotations

from dataclasses import dataclass

from eventkit.vocabulary import LabelledEnum


class OrganisationKind(LabelledEnum):
    """Verksamheter that collaborate around children and young people (R19)."""

    SCHOOL = "school", "Skola"
    SOCIAL_SERVICES = "social_services", "Socialtjänst"
    CHILD_PSYCHIATRY = "child_psychiatry", "Barn- och ungdomspsykiatri (BUP)"
    CHILD_MEDICINE = "child_medicine", "Barnmedicin"
    HABILITATION = "habilitation", "Habilitering"


class Side(LabelledEnum):
    """Which principal (huvudman) the organisation belongs to."""

    MUNICIPALITY = "municipality", "kommunen"
    REGION = "region", "regionen"


class Category(LabelledEnum):
    """The agreed categories of deviations (R23)."""

    GUIDELINES_NOT_FOLLOWED = "guidelines_not_followed", "Överenskomna riktlinjer eller rutiner följs inte"
    AGREED_MEASURES_NOT_CARRIED_OUT = "agreed_measures_not_carried_out", "Överenskomna insatser (t.ex. i SIP) genomförs inte"
    RESPONSIBILITY_DISPUTED = "responsibility_disputed", "Parterna är oense om ansvaret"
    PARTY_ABSENT_FROM_MEETINGS = "party_absent_from_meetings", "En part deltar inte i möten"
    OTHER = "other", "Annat"


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
