"""Value objects of the competence service: the two parties of the dialogue, goal attainment,
qualifications and specialisations (seed §2), who gives supervision."""
from __future__ import annotations

import enum
from datetime import date
from typing import Iterable

from eventkit.rules import RuleBroken


class Party(str, enum.Enum):
    """The two parties of the dialogue (R12): rektor of the unit and the special educator."""

    REKTOR = "rektor"
    SPECIAL_EDUCATOR = "special_educator"

    @property
    def other(self) -> "Party":
        return Party.SPECIAL_EDUCATOR if self is Party.REKTOR else Party.REKTOR


class Attainment(str, enum.Enum):
    """Måluppfyllelse after the joint assessment (R13)."""

    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"


class Qualification(str, enum.Enum):
    """Behörighet (seed §2)."""

    SPECIAL_EDUCATOR_DEGREE = "special_educator_degree"  # specialpedagogexamen
    SPECIAL_TEACHER_DEGREE = "special_teacher_degree"  # speciallärarexamen
    OTHER_QUALIFYING = "other_qualifying"
    IN_TRAINING = "in_training"
    NOT_QUALIFIED = "not_qualified"


class Specialisation(str, enum.Enum):
    """The specialisations of the special teacher degree (speciallärarexamen)."""

    LANGUAGE_READING_WRITING = "language_reading_writing"
    MATHEMATICS = "mathematics"
    DEAF_HARD_OF_HEARING = "deaf_hard_of_hearing"
    VISUAL_IMPAIRMENT = "visual_impairment"
    LANGUAGE_DISORDER = "language_disorder"
    INTELLECTUAL_DISABILITY = "intellectual_disability"


class SupervisionProvider(str, enum.Enum):
    EXTERNAL = "external"  # extern handledare
    COLLEAGUES = "colleagues"  # kollegial handledning
    STUDENT_HEALTH = "student_health"  # central elevhälsa


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
