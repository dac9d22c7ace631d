"""One open case per pupil and school unit: an index aggregate per (municipality, unit, pupil).

The index names the pupil's case at the unit. It is saved in the same transaction as the case it
names, and its id is derived from what it indexes, so two requests opening a case for the same
pupil at the same moment both try to create (or move on) the same index version: the second
save conflicts and stores nothing, and its caller answers the first one's case.

What counts as open is the case's own answer (`SupportCase.counts_as_open_at`): not closed and
still at the unit. The index is therefore not told when a case closes or moves away; it is moved
on to a new case when the one it names no longer counts.
"""
from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

INDEX_NAMESPACE = uuid5(NAMESPACE_URL, "urn:stodspar:cases:open-case-index")


class OpenCaseIndex(Aggregate):
    """The case of one pupil at one school unit (ids only: no personal data)."""

    @staticmethod
    def id_for(municipality: str, school_unit: str, pupil_ref: str) -> UUID:
        return uuid5(INDEX_NAMESPACE, f"{municipality}|{school_unit}|{pupil_ref}")

    @classmethod
    def create_id(cls, municipality: str, school_unit: str, pupil_ref: str, **_: object) -> UUID:
        return cls.id_for(municipality, school_unit, pupil_ref)

    @event("Created")
    def __init__(self, municipality: str, school_unit: str, pupil_ref: str, case_id: UUID) -> None:
        self.municipality = municipality
        self.school_unit = school_unit
        self.pupil_ref = pupil_ref
        self.case_id = case_id

    def name_case(self, case_id: UUID) -> None:
        """The pupil's new case at the unit (the one named before no longer counts as open)."""
        if case_id != self.case_id:
            self._case_named(case_id=case_id)

    @event("CaseNamed")
    def _case_named(self, case_id: UUID) -> None:
        self.case_id = case_id
