"""Commands and queries of the confidential parts of a case (R14), mixed into the cases
application: protected identity (rektor marks, grants and revokes) and the medical record
(school nurse, school doctor only).

Authorization is in cases.access; the rules are in the domain (protection.py, medical.py).
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from cases import access, views
from cases.domain.medical import MedicalRecord
from cases.domain.protection import ProtectionSteps
from eventkit.accesslog import refused_record
from eventkit.identity import Identity, Role

PROTECTION_EVENTS = ("ProtectedIdentityMarked", "AccessGranted", "AccessRevoked")


class Hidden(Exception):
    """The caller may not know that this exists: answered exactly as "case not found"."""


class ConfidentialCommands:
    # -- skyddad identitet ---------------------------------------------------------------------
    def mark_protected(self, who: Identity, case_id: UUID, expected_version: int | None = None) -> None:
        access.require_role(who, access.PROTECT)
        self._command(who, case_id, expected_version, lambda case: case.mark_protected(
            marked_by=who.user_id, by_rektor=who.role is Role.REKTOR, on=self.today()))

    def grant_access(self, who: Identity, case_id: UUID, *, user_id: str, expected_version: int | None = None) -> None:
        access.require_role(who, access.PROTECT)
        self._command(who, case_id, expected_version, lambda case: case.grant_access(
            user=user_id, granted_by=who.user_id, by_rektor=who.role is Role.REKTOR, on=self.today()))

    def revoke_access(self, who: Identity, case_id: UUID, *, user_id: str, expected_version: int | None = None) -> None:
        access.require_role(who, access.PROTECT)
        self._command(who, case_id, expected_version, lambda case: case.revoke_access(
            user=user_id, revoked_by=who.user_id, by_rektor=who.role is Role.REKTOR, on=self.today()))

    def protection(self, who: Identity, case_id: UUID) -> dict[str, Any]:
        """Whether the pupil is protected, who has access, and every grant with who gave it."""
        case = self._case_for(who, case_id)
        history = []
        for event, meta in self.events_with_envelopes(case_id):
            kind = type(event).__name__
            if kind in PROTECTION_EVENTS:
                history.append({"change": kind, "user_id": event.user, "changed_by": event.changed_by,
                                "changed_on": event.changed_on, "at": event.timestamp, "version": event.originator_version})
        return views.jsonable({"case_id": str(case_id), "version": case.version, "protected": case.protected,
                               "granted_to": list(case.granted_to), "history": history})

    # -- the medical record -----------------------------------------------------------------------
    def medical_record(self, who: Identity, case_id: UUID) -> dict[str, Any]:
        self._medical_case(who, case_id)
        record = self._medical_record(case_id)
        entries = record.entries if record else []
        return views.jsonable({"case_id": str(case_id), "version": record.version if record else 0, "entries": entries})

    def record_medical_entry(self, who: Identity, case_id: UUID, *, text: str) -> None:
        case = self._medical_case(who, case_id)
        record = self._medical_record(case_id) or MedicalRecord(case_id=case_id, pupil_ref=getattr(case, "pupil_ref", ""))
        self.once(who, record, lambda r: r.record_entry(
            text=text, recorded_by=who.user_id, by_medical_staff=access.sees_medical_record_role(who), on=self.today()))

    def _medical_case(self, who: Identity, case_id: UUID) -> ProtectionSteps:
        # Not medical staff, or not the case: the same "not found" (the medical part is
        # invisible to the non-medical side, R14).
        if not access.sees_medical_record_role(who):
            case = self._stored(case_id)  # only to log whose record was refused (R15); the answer is the same
            hidden = Hidden(str(case_id))
            if isinstance(case, ProtectionSteps):
                raise refused_record(hidden, case.municipality, case.school_unit, case.pupil_ref)
            raise hidden
        return self._case_for(who, case_id)

    def _medical_record(self, case_id: UUID) -> MedicalRecord | None:
        try:
            return self.repository.get(MedicalRecord.id_for(case_id))
        except AggregateNotFoundError:
            return None
