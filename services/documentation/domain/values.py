"""Values of the documentation: level, kind, the learning-environment vocabulary, the school
term, and what the documentation knows of a pupil's case (only what the cases service says).
Each list carries its Swedish labels (published as vocabularies by `make contracts`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventkit.vocabulary import LabelledEnum


class Level(LabelledEnum):
    """Nivå (seed §4, §6): where the intervention acts."""

    ORGANISATION = "organisation", "Organisationsnivå"
    GROUP = "group", "Gruppnivå"
    INDIVIDUAL = "individual", "Individnivå"


class Kind(LabelledEnum):
    """Slag av insats."""

    SUPERVISION = "supervision", "Handledning av personal"
    PEDAGOGICAL_ASSESSMENT = "pedagogical_assessment", "Pedagogisk bedömning"
    MAPPING = "mapping", "Kartläggning"
    TEACHING = "teaching", "Undervisning"
    LEARNING_ENVIRONMENT = "learning_environment", "Arbete med lärmiljön"
    COLLABORATION = "collaboration", "Samverkan med andra professioner eller externa parter"


# What can be attached to a case's investigation (R3: the investigation records the
# pedagogical assessment; a mapping is part of the same work).
ATTACHABLE = frozenset({Kind.PEDAGOGICAL_ASSESSMENT, Kind.MAPPING})


class Factor(LabelledEnum):
    """The fixed vocabulary of what hinders or supports in the learning environment (seed §6,
    §8), so that recurring obstacles and supports can be counted across interventions. The
    same factor can hinder in one place and support in another."""

    STRUCTURE = "structure", "Struktur och förutsägbarhet"
    INSTRUCTION = "instruction", "Undervisningens upplägg och instruktioner"
    MATERIALS = "materials", "Läromedel, hjälpmedel och digitala verktyg"
    PHYSICAL = "physical", "Fysisk miljö (ljud, ljus, placering, lokaler)"
    SOCIAL = "social", "Socialt klimat och relationer"
    STAFFING = "staffing", "Bemanning och vuxenstöd"
    SCHEDULE = "schedule", "Organisation, schema och gruppindelning"
    COMPETENCE = "competence", "Personalens kompetens och förhållningssätt"
    COLLABORATION = "collaboration", "Samarbete med hem, elevhälsa och externa"
    LANGUAGE = "language", "Språk och kommunikation"
    OTHER = "other", "Annat"


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
    pupil_ref: str | None = None  # the cases service's pseudonymous pupil reference (ADR 0019, 0020)
    opened_on: date | None = None  # the day the case was opened (documentation.domain.dates)
