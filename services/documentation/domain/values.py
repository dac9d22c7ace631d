"""Values of the documentation: level, kind, the learning-environment vocabulary, the school
term, and what the documentation knows of a pupil's case (only what the cases service says)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from uuid import UUID


class Level(str, enum.Enum):
    """Nivå (seed §4, §6): where the intervention acts."""

    ORGANISATION = "organisation"
    GROUP = "group"
    INDIVIDUAL = "individual"


class Kind(str, enum.Enum):
    """Slag av insats."""

    SUPERVISION = "supervision"  # handledning av personal
    PEDAGOGICAL_ASSESSMENT = "pedagogical_assessment"  # pedagogisk bedömning
    MAPPING = "mapping"  # kartläggning
    TEACHING = "teaching"  # undervisning
    LEARNING_ENVIRONMENT = "learning_environment"  # arbete med lärmiljön
    COLLABORATION = "collaboration"  # samverkan med andra professioner eller externa parter


# What can be attached to a case's investigation (R3: the investigation records the
# pedagogical assessment; a mapping is part of the same work).
ATTACHABLE = frozenset({Kind.PEDAGOGICAL_ASSESSMENT, Kind.MAPPING})


class Factor(str, enum.Enum):
    """The fixed vocabulary of what hinders or supports in the learning environment (seed §6,
    §8), so that recurring obstacles and supports can be counted across interventions. The
    same factor can hinder in one place and support in another."""

    STRUCTURE = "structure"  # struktur och förutsägbarhet
    INSTRUCTION = "instruction"  # undervisningens upplägg och instruktioner
    MATERIALS = "materials"  # läromedel, hjälpmedel och digitala verktyg
    PHYSICAL = "physical"  # fysisk miljö: ljud, ljus, placering, lokaler
    SOCIAL = "social"  # socialt klimat och relationer
    STAFFING = "staffing"  # bemanning och vuxenstöd
    SCHEDULE = "schedule"  # organisation, schema och gruppindelning
    COMPETENCE = "competence"  # personalens kompetens och förhållningssätt
    COLLABORATION = "collaboration"  # samarbete med hem, elevhälsa och externa
    LANGUAGE = "language"  # språk och kommunikation
    OTHER = "other"  # annat


def term_of(day: date) -> str:
    """The school term (termin) a date falls in: VT is January–July, HT August–December."""
    return f"{'HT' if day.month >= 8 else 'VT'}{day.year}"


def term_order(term: str) -> tuple[int, int]:
    return int(term[2:]), 1 if term.startswith("HT") else 0


@dataclass(frozen=True)
class CaseReference:
    """A pupil's case as the cases service showed it to the acting user (never stored whole)."""

    case_id: UUID
    municipality: str
    school_unit: str
    open_investigation: int | None  # the number of an investigation under way, if any
