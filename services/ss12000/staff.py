"""A staff member's role in Stödspår from their duties in the register (ADR 0026).

One mapping for everyone who reads duties: the directory service (GET /staff) and the
development identity provider. Several duties: the highest role counts (rektor > special
educator > pupil-health team > teacher); the school units are those of the duties that map to
a Stödspår role. A duty Stödspår has no role for (Studie- och yrkesvägledare, Övrig
arbetsledning, …) gives none: that person does not log in as school staff.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ss12000.models import DutyRole

TEACHING = (DutyRole.TEACHER, DutyRole.FIRST_TEACHER, DutyRole.LEISURE_TEACHER, DutyRole.PRESCHOOL_TEACHER,
            DutyRole.OTHER_PEDAGOGICAL)
# Pupil-health professions: the duty → (profession as Stödspår names it, medical part of the team, R14).
PUPIL_HEALTH = {
    DutyRole.COUNSELLOR: ("skolkurator", False),
    DutyRole.SCHOOL_NURSE: ("skolsköterska", True),
    DutyRole.SCHOOL_DOCTOR: ("skolläkare", True),
    DutyRole.SCHOOL_PSYCHOLOGIST: ("skolpsykolog", False),
}
PRECEDENCE = ("rektor", "special_educator", "eht_member", "teacher")


@dataclass(frozen=True)
class StaffRole:
    role: str  # eventkit.identity.Role's value
    school_units: tuple[str, ...]
    profession: str = ""
    medical: bool = False


def role_of_duty(duty_role: str) -> str | None:
    try:
        duty = DutyRole(duty_role)
    except ValueError:
        return None
    if duty is DutyRole.REKTOR:
        return "rektor"
    if duty is DutyRole.SPECIAL_EDUCATOR:
        return "special_educator"
    if duty in PUPIL_HEALTH:
        return "eht_member"
    if duty in TEACHING:
        return "teacher"
    return None


def staff_role(duties: Iterable[tuple[str, str]]) -> StaffRole | None:
    """`duties`: (school unit code, the standard's duty role) of the person's current duties."""
    duties = [(unit, duty, role_of_duty(duty)) for unit, duty in duties]
    mapped = [(unit, duty, role) for unit, duty, role in duties if role]
    if not mapped:
        return None
    role = min((r for _, _, r in mapped), key=PRECEDENCE.index)
    units = tuple(dict.fromkeys(unit for unit, _, _ in mapped))
    health = [PUPIL_HEALTH[DutyRole(duty)] for _, duty, r in mapped if r == "eht_member"]
    profession, medical = (health[0] if health else ("", False))
    return StaffRole(role, units, profession if role == "eht_member" else "", medical and role == "eht_member")
