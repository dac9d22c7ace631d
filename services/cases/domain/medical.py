"""The medical part of the student health team (R14): school nurse and school doctor keep
their own record of a pupil, a separate confidentiality domain that the non-medical side,
rektor included, cannot read. It is its own aggregate next to the case (one per case), so
nothing of it is in the case's history, its views or its public events.
"""
from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from cases.domain.rules import MedicalEntryNeedsText, OnlyMedicalStaffKeepTheMedicalRecord

ENTRY_MAX_LENGTH = 8000


class MedicalRecord(Aggregate):
    """Elevhälsans medicinska journalanteckningar för ett elevärende."""

    @staticmethod
    def create_id(case_id: UUID, **_: object) -> UUID:
        return MedicalRecord.id_for(case_id)

    @staticmethod
    def id_for(case_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"stodspar:medical-record:{case_id}")

    @event("Started")
    def __init__(self, case_id: UUID, pupil_ref: str = "") -> None:
        self.case_id = case_id
        self.pupil_ref = pupil_ref  # the pupil's key reference (R17): entries are encrypted under it
        self.entries: list[dict] = []

    def record_entry(self, *, text: str, recorded_by: str, by_medical_staff: bool, on: date) -> None:
        if not by_medical_staff:
            raise OnlyMedicalStaffKeepTheMedicalRecord()
        text = (text or "").strip()
        if not text or len(text) > ENTRY_MAX_LENGTH:
            raise MedicalEntryNeedsText()
        self._entry_recorded(text=text, recorded_by=recorded_by, recorded_on=on)

    @event("EntryRecorded")
    def _entry_recorded(self, text: str, recorded_by: str, recorded_on: date) -> None:
        self.entries.append({"text": text, "recorded_by": recorded_by, "recorded_on": recorded_on})
