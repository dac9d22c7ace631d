"""A person of the municipality as the directory knows them: one event-sourced aggregate per
person of the SS 12000 register (pupil, guardian, staff), or per pupil rektor registers before
the register knows them.

The aggregate holds structure only: which kinds of person, whether the identity is protected,
whether the register still has them, placements, guardians and duties. Name and personnummer
are personal data and live in the service's key store, encrypted under the person's own key
(R17); no event carries them. Every event carries the whole structure after the change, so
the topic's consumers need no earlier event to know a person.
"""
from __future__ import annotations

import re

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from eventsourcing.domain import Aggregate, event

from directory.domain.rules import (
    BirthDateIsInThePast, BirthDateIsPlausibleForAPupil, FamilyNameIsGiven, FamilyNameIsWrittenInLetters,
    GivenNameIsGiven, GivenNameIsWrittenInLetters, PersonalNumberIsValid,
)
from eventkit import personnummer
from eventkit.vocabulary import LabelledEnum

NAMESPACE = uuid.UUID("2b7c9f4e-1d3a-4e8b-9c6f-5a0e7d2b1c83")
PUPIL, GUARDIAN, STAFF = "pupil", "guardian", "staff"
REGISTER, LOCAL = "register", "local"


class LocalRegistrationReason(LabelledEnum):
    """Why rektor registers a pupil the register does not know (yet)."""

    NEW_PUPIL = "new_pupil", "Ny elev som ännu inte finns i elevregistret"
    REGISTER_LATE = "register_late", "Placeringen är inte registrerad ännu"
    OTHER = "other", "Annat skäl"


def person_id_for(municipality: str, register_id: str) -> uuid.UUID:
    """The directory's id of a person of the register: the same at every sync and every start."""
    return uuid.uuid5(NAMESPACE, f"{municipality}/{register_id}")


# -- personnummer (read as eventkit.personnummer reads it) -----------------------------------------
birth_date_of = personnummer.birth_date


def pupil_personal_number(raw: str, today: date) -> str:
    """A pupil's personnummer as 12 digits, if valid (check digit, a real date) and plausible for
    a pupil (born at least one and at most 25 years ago); else the rule it breaks."""
    try:
        digits = personnummer.twelve_digits(raw)
    except personnummer.NotAPersonnummer:
        raise PersonalNumberIsValid() from None
    born = birth_date_of(digits)
    if born >= today:
        raise BirthDateIsInThePast()
    if not personnummer.plausible_for_a_pupil(born, today):
        raise BirthDateIsPlausibleForAPupil()
    return digits


# A name: words of letters (any alphabet), joined by a space, a hyphen or an apostrophe.
LETTERS = re.compile(r"[^\W\d_]+(?:(?: |-|'|’)[^\W\d_]+)*")


def pupil_name(given_name: str, family_name: str) -> str:
    given, family = " ".join((given_name or "").split()), " ".join((family_name or "").split())
    if not given:
        raise GivenNameIsGiven()
    if not family:
        raise FamilyNameIsGiven()
    if not LETTERS.fullmatch(given):
        raise GivenNameIsWrittenInLetters()
    if not LETTERS.fullmatch(family):
        raise FamilyNameIsWrittenInLetters()
    return f"{given} {family}"


# -- staff from duties ----------------------------------------------------------------------------
# The register's duty roles → Stödspår's role and the pupil-health profession.
DUTY_ROLES: dict[str, tuple[str, str]] = {
    "Rektor": ("rektor", ""),
    "Lärare": ("teacher", ""),
    "Förstelärare": ("teacher", ""),
    "Lärarassistent": ("teacher", ""),
    "Fritidspedagog": ("teacher", ""),
    "Förskollärare": ("teacher", ""),
    "Speciallärare/specialpedagog": ("special_educator", ""),
    "Kurator": ("eht_member", "skolkurator"),
    "Skolsköterska": ("eht_member", "skolsköterska"),
    "Skolläkare": ("eht_member", "skolläkare"),
    "Skolpsykolog": ("eht_member", "skolpsykolog"),
}
MEDICAL = frozenset({"skolsköterska", "skolläkare"})
# Several roles: the one that may do most decides the login's role.
ROLE_ORDER = ("rektor", "special_educator", "eht_member", "teacher")


def duty_role(register_role: str) -> tuple[str, str]:
    return DUTY_ROLES.get(register_role, ("other", ""))


def current(item: dict[str, Any], today: date) -> bool:
    start, end = item.get("start_date"), item.get("end_date")
    return (not start or date.fromisoformat(start) <= today) and (not end or date.fromisoformat(end) >= today)


@dataclass(frozen=True)
class StaffIdentity:
    role: str
    school_units: tuple[str, ...]
    medical: bool
    profession: str


def staff_identity(duties: list[dict[str, Any]], today: date) -> StaffIdentity | None:
    """Role and units from a person's current duties (None without one Stödspår knows)."""
    now = [d for d in duties if current(d, today) and d["role"] in ROLE_ORDER]
    if not now:
        return None
    role = min((d["role"] for d in now), key=ROLE_ORDER.index)
    units = tuple(sorted({d["school_unit"] for d in now}))
    profession = next((d["profession"] for d in now if d["role"] == role and d["profession"]), "")
    return StaffIdentity(role, units, profession in MEDICAL, profession)


# -- the aggregate --------------------------------------------------------------------------------
EMPTY: dict[str, Any] = {"kinds": [], "protected": False, "placements": [], "guardian_ids": [], "duties": [],
                         "user_id": ""}


def structure(**given: Any) -> dict[str, Any]:
    """A person's structure as events carry it: sorted, so the same register data compares equal."""
    found = {**EMPTY, **given}
    return {
        "kinds": sorted(set(found["kinds"])),
        "protected": bool(found["protected"]),
        "placements": sorted(found["placements"], key=lambda p: (p["school_unit"], p["class_name"], p["start_date"] or "")),
        "guardian_ids": sorted(set(found["guardian_ids"])),
        "duties": sorted(found["duties"], key=lambda d: (d["school_unit"], d["role"], d["start_date"] or "")),
        "user_id": found["user_id"] or "",
    }


class Person(Aggregate):
    """A pupil, guardian or staff member of the municipality (or several: a teacher who is a
    guardian)."""

    @classmethod
    def from_register(cls, *, municipality: str, register_id: str, state: dict[str, Any], on: date) -> "Person":
        return cls._create(cls.Registered, id=person_id_for(municipality, register_id), municipality=municipality,
                           register_id=register_id, state=state, on=on)

    @classmethod
    def register_locally(cls, *, id: uuid.UUID, municipality: str, school_unit: str, class_name: str,  # noqa: A002
                         reason: LocalRegistrationReason, registered_by: str, on: date) -> "Person":
        """A pupil the register does not know yet; validation (personnummer, names) comes first,
        in `pupil_personal_number` and `pupil_name`, as the identity is not the aggregate's."""
        placement = {"school_unit": school_unit, "class_name": class_name or "", "start_date": on.isoformat(),
                     "end_date": None}
        return cls._create(cls.RegisteredLocally, id=id, municipality=municipality,
                           state=structure(kinds=[PUPIL], placements=[placement]), reason=reason.value,
                           registered_by=registered_by, on=on)

    class Registered(Aggregate.Created):
        municipality: str
        register_id: str
        state: dict
        on: date

    class RegisteredLocally(Aggregate.Created):
        municipality: str
        state: dict
        reason: str
        registered_by: str
        on: date

    def __init__(self, municipality: str, state: dict, on: date, register_id: str = "", reason: str = "",
                 registered_by: str = "") -> None:
        self.municipality = municipality
        self.register_id = register_id
        self.source = REGISTER if register_id else LOCAL
        self.state = state
        self.removed_from_register = False
        self.changed_on = on

    # -- following the register ---------------------------------------------------------------
    # Every event after the first carries the whole structure (and municipality, source and
    # removal), so the relay publishes each change as the person's whole public state.
    def follow_register(self, register_id: str, state: dict[str, Any], on: date) -> bool:
        """The register's record as it is now: an event only when something changed."""
        if self.source == LOCAL:
            self._taken_over(**self._now(state), register_id=register_id, on=on)
        elif self.removed_from_register:
            self._returned(**self._now(state), on=on)
        elif state != self.state:
            self._changed(**self._now(state), on=on)
        else:
            return False
        return True

    def remove_from_register(self, on: date) -> bool:
        """The register no longer has the person: flagged, never deleted (their cases stay)."""
        if self.source == LOCAL or self.removed_from_register:
            return False
        self._removed(**self._now(self.state, removed=True), on=on)
        return True

    def _now(self, state: dict[str, Any], removed: bool = False) -> dict[str, Any]:
        return {"municipality": self.municipality, "state": state, "removed_from_register": removed}

    @event("Changed")
    def _changed(self, municipality: str, state: dict, removed_from_register: bool, on: date) -> None:
        self.state, self.changed_on = state, on

    @event("RemovedFromRegister")
    def _removed(self, municipality: str, state: dict, removed_from_register: bool, on: date) -> None:
        self.removed_from_register, self.changed_on = True, on

    @event("ReturnedToRegister")
    def _returned(self, municipality: str, state: dict, removed_from_register: bool, on: date) -> None:
        self.state, self.removed_from_register, self.changed_on = state, False, on

    @event("TakenOverByRegister")
    def _taken_over(self, municipality: str, state: dict, removed_from_register: bool, register_id: str,
                    on: date) -> None:
        """The register brings the pupil rektor registered: same person, the register's record."""
        self.register_id, self.source, self.state, self.changed_on = register_id, REGISTER, state, on

    # -- resuming without replay ----------------------------------------------------------------
    @classmethod
    def resumed(cls, *, id: uuid.UUID, version: int, municipality: str, register_id: str,  # noqa: A002
                source: str, state: dict[str, Any], removed_from_register: bool, changed_on: date) -> "Person":
        """The aggregate as the directory's table holds it after its last event (the sync reads
        thousands per page; replaying each stream would be needless work). A table behind the
        event store makes the save conflict, and the sync then replays (DirectoryApplication)."""
        person = object.__new__(cls)
        moment = datetime.now(timezone.utc)
        vars(person).update(_id=id, _version=version, _created_on=moment, _modified_on=moment, _pending_events=[],
                            municipality=municipality, register_id=register_id, source=source, state=state,
                            removed_from_register=removed_from_register, changed_on=changed_on)
        return person

    @property
    def kinds(self) -> list[str]:
        return list(self.state["kinds"])

    @property
    def protected(self) -> bool:
        return bool(self.state["protected"])
