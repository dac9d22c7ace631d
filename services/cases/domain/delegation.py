"""Delegation of rektor's decisions (R5, skollagen 2 kap. 10 §): a written record of who may
decide what, from when and to when, kept per school unit with its own history."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from eventsourcing.domain import Aggregate, event

from cases.domain import dates
from cases.domain.decision import DecisionKind
from cases.domain.rules import DelegationMustStateWhoWhatAndWhen, OnlyRektorDelegates

DELEGABLE_KINDS = tuple(DecisionKind)  # every decision kind; placements are not (R6)
_NAMESPACE = uuid.UUID("1d4c7f0e-3a8b-4c55-9a57-2f6d2c0b7e31")


@dataclass(frozen=True)
class Grant:
    """One registered delegation, as a decision checks it."""

    number: int
    school_unit: str
    delegate: str
    kinds: tuple[DecisionKind, ...]
    valid_from: date
    valid_to: date
    revoked_on: date | None = None

    def covers(self, user: str, school_unit: str, kind: DecisionKind, on: date) -> bool:
        in_time = self.valid_from <= on <= self.valid_to and (self.revoked_on is None or on < self.revoked_on)
        return user == self.delegate and school_unit == self.school_unit and kind in self.kinds and in_time


class DelegationRegister(Aggregate):
    """Delegationsordning: rektor's delegations at one school unit."""

    @staticmethod
    def id_for(municipality: str, school_unit: str) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{municipality}:{school_unit}")

    @classmethod
    def create_id(cls, municipality: str, school_unit: str) -> uuid.UUID:
        return cls.id_for(municipality, school_unit)

    @event("Created")
    def __init__(self, municipality: str, school_unit: str) -> None:
        self.municipality = municipality
        self.school_unit = school_unit
        self.grants: list[Grant] = []

    def register(
        self, *, delegate: str, kinds: tuple[DecisionKind | str, ...], valid_from: date | None, valid_to: date | None,
        registered_by: str, by_rektor: bool, today: date,
    ) -> int:
        """A written delegation (R5) for a plausible period (cases.domain.dates): from the current
        school year on, at most to the end of the school year it starts in."""
        if not by_rektor:
            raise OnlyRektorDelegates()
        missing = {}
        if not delegate.strip():
            missing["delegate"] = "Ange vem som får besluta."
        if not kinds or any(kind not in DELEGABLE_KINDS for kind in kinds):
            missing["kinds"] = "Välj vilka beslut som delegeras."
        if valid_from is None:
            missing["valid_from"] = "Ange från och med vilket datum."
        if valid_to is None:
            missing["valid_to"] = "Ange till och med vilket datum."
        if missing:
            raise DelegationMustStateWhoWhatAndWhen(missing)
        dates.delegation_period(valid_from, valid_to, today=today)
        self._registered(
            delegate=delegate.strip(), kinds=[DecisionKind(kind).value for kind in kinds], valid_from=valid_from, valid_to=valid_to,
            registered_by=registered_by,
        )
        return len(self.grants)

    @event("DelegationRegistered")
    def _registered(self, delegate: str, kinds: list, valid_from: date, valid_to: date, registered_by: str) -> None:
        kinds = tuple(DecisionKind(kind) for kind in kinds)
        self.grants.append(Grant(len(self.grants) + 1, self.school_unit, delegate, kinds, valid_from, valid_to))

    def revoke(self, *, number: int, on: date, revoked_by: str, by_rektor: bool) -> None:
        if not by_rektor:
            raise OnlyRektorDelegates()
        if not 1 <= number <= len(self.grants):
            raise DelegationMustStateWhoWhatAndWhen({"number": "Det finns ingen sådan delegation."})
        self._revoked(number=number, revoked_on=on, revoked_by=revoked_by)

    @event("DelegationRevoked")
    def _revoked(self, number: int, revoked_on: date, revoked_by: str) -> None:
        self.grants[number - 1] = replace(self.grants[number - 1], revoked_on=revoked_on)

    def grant_for(self, user: str, kind: DecisionKind, on: date) -> Grant | None:
        return next((g for g in reversed(self.grants) if g.covers(user, self.school_unit, kind, on)), None)
