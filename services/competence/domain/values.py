"""Value objects of the competence service: the two parties of the dialogue, goal attainment,
qualifications and specialisations (seed §2), who gives supervision; each list with its Swedish
labels (published as vocabularies by `make contracts`)."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from eventkit.rules import RuleBroken
from eventkit.vocabulary import LabelledEnum


class Party(LabelledEnum):
    """The two parties of the dialogue (R12): rektor of the unit and the special educator."""

    REKTOR = "rektor", "rektor"
    SPECIAL_EDUCATOR = "special_educator", "specialpedagog"

    @property
    def other(self) -> "Party":
        return Party.SPECIAL_EDUCATOR if self is Party.REKTOR else Party.REKTOR


class Attainment(LabelledEnum):
    """Måluppfyllelse after the joint assessment (R13)."""

    MET = "met", "Uppnått"
    PARTLY_MET = "partly_met", "Delvis uppnått"
    NOT_MET = "not_met", "Inte uppnått"


class Qualification(LabelledEnum):
    """Behörighet (seed §2)."""

    SPECIAL_EDUCATOR_DEGREE = "special_educator_degree", "Specialpedagogexamen"
    SPECIAL_TEACHER_DEGREE = "special_teacher_degree", "Speciallärarexamen"
    OTHER_QUALIFYING = "other_qualifying", "Annan behörighetsgivande utbildning"
    IN_TRAINING = "in_training", "Under utbildning"
    NOT_QUALIFIED = "not_qualified", "Saknar behörighet"


class Specialisation(LabelledEnum):
    """The specialisations of the special teacher degree (speciallärarexamen)."""

    LANGUAGE_READING_WRITING = "language_reading_writing", "Språk-, skriv- och läsutveckling"
    MATHEMATICS = "mathematics", "Matematikutveckling"
    DEAF_HARD_OF_HEARING = "deaf_hard_of_hearing", "Dövhet eller hörselnedsättning"
    VISUAL_IMPAIRMENT = "visual_impairment", "Synnedsättning"
    LANGUAGE_DISORDER = "language_disorder", "Grav språkstörning"
    INTELLECTUAL_DISABILITY = "intellectual_disability", "Utvecklingsstörning"


class SupervisionProvider(LabelledEnum):
    """Who gives the special educator supervision (handledning, R12)."""

    EXTERNAL = "external", "Extern handledare"
    COLLEAGUES = "colleagues", "Kollegial handledning"
    STUDENT_HEALTH = "student_health", "Central elevhälsa"


def text(value: str | None, maximum: int, rule: type[RuleBroken]) -> str:
    cleaned = (value or "").strip()
    if not cleaned or len(cleaned) > maximum:
        raise rule()
    return cleaned


def hours(value: float, rule: type[RuleBroken]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.5 <= value <= 500:
        raise rule()
    return round(float(value) * 2) / 2  # half hours


def schedule(dates: Iterable[date], today: date, rule: type[RuleBroken]) -> list[date]:
    dates = list(dates)
    if not 1 <= len(dates) <= 12 or dates[0] < today or any(b <= a for a, b in zip(dates, dates[1:])):
        raise rule()
    return dates
