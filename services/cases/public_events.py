"""Which domain events the cases service publishes, and in what public shape.

The contracts in contracts/events/ define these shapes. Free text about the pupil (needs,
views, assessments, findings, reasons) stays in the service; the municipal topic carries
only what views need: ids, dates, kinds and staff ids. Participation and the investigation's
content are not published at all.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cases.domain.corrections import CorrectionSteps
from cases.domain.decision import APPEAL_WEEKS, DecisionSteps
from cases.domain.disposal import PupilRecordsDisposal
from cases.domain.investigation import InvestigationSteps
from cases.domain.model import SupportCase
from cases.domain.programme import ProgrammeSteps
from cases.domain.protection import ProtectionSteps
from eventkit.config import topic
from eventkit.relay import PublicEvent
from eventkit.store import EventMeta

TOPIC = topic("stodspar.cases.v1")
REGISTER = "elevregistret"  # who changed a protection the register decided (no staff member)
# Events raised by the steps' modules are classes of those modules' mixins (the stored topic
# names them), so they are matched there, not as SupportCase attributes.


def _day(value: date | str | None) -> str | None:
    return None if value is None else value if isinstance(value, str) else value.isoformat()


def translate(event: Any, meta: EventMeta) -> PublicEvent | None:
    case_id = str(event.originator_id)
    if isinstance(event, SupportCase.Opened):
        # v2: no name (R17, ADR 0020); views ask the cases service for names. 2.1: a pupil the
        # register protects has a protected case from this first event (R14).
        # 2.2: the pupil by the pseudonymous reference (the directory's id), for Mina elever.
        opened = {"case_id": case_id, "school_unit": event.school_unit}
        if getattr(event, "pupil_ref", ""):
            opened["pupil_ref"] = event.pupil_ref
        if getattr(event, "protected_by_register", False):
            opened.update(protected=True, granted_to=[event.opened_by])
        return PublicEvent("CaseOpened", opened)
    if isinstance(event, SupportCase.ExtraAdaptationRecorded):
        return PublicEvent("ExtraAdaptationRecorded", {"case_id": case_id})
    if isinstance(event, SupportCase.ReferredToRektor):
        return PublicEvent("CaseReferredToRektor", {
            "case_id": case_id,
            "referred_on": event.referred_on.isoformat(),
            "direct": bool(event.special_reason),
            "investigation_due": event.investigation_due.isoformat(),
            "decision_due": event.decision_due.isoformat(),
        })
    if isinstance(event, InvestigationSteps.InvestigationStarted):
        return PublicEvent("InvestigationStarted", {
            "case_id": case_id, "started_on": _day(event.started_on), "investigator": event.investigator,
            "student_health_team": event.student_health_team,
        })
    if isinstance(event, InvestigationSteps.InvestigationConcluded):
        return PublicEvent("InvestigationConcluded", {"case_id": case_id, "concluded_on": _day(event.concluded_on)})
    if isinstance(event, DecisionSteps.Decided):
        return PublicEvent("CaseDecided", {
            "case_id": case_id, "decision_number": event.number,
            "kind": event.kind, "decided_on": _day(event.decided_on), "appealable": event.appealable,
            "delegated": event.delegation_number is not None, "rektor_only": bool(event.placements),
        })
    if isinstance(event, DecisionSteps.DecisionDelivered):
        return _delivered(case_id, event.decision_number, event.delivered_on, corrected=False)
    if isinstance(event, CorrectionSteps.Corrected) and event.kind == "delivery" and event.value:
        return _delivered(case_id, event.ref, date.fromisoformat(event.value), corrected=True)
    if isinstance(event, ProgrammeSteps.ProgrammeIssued):
        return PublicEvent("ActionProgrammeIssued", {
            "case_id": case_id, "programme_number": event.number, "decision_number": event.decision_number,
            "issued_on": _day(event.issued_on),
            "follow_up_dates": [_day(d) for d in event.follow_up_dates], "evaluation_on": _day(event.evaluation_on),
        })
    if isinstance(event, ProgrammeSteps.FollowUpRecorded):
        return PublicEvent("ProgrammeFollowedUp", {
            "case_id": case_id, "programme_number": event.programme_number, "followed_up_on": _day(event.followed_up_on),
        })
    if isinstance(event, ProgrammeSteps.ProgrammeEvaluated):
        return PublicEvent("ProgrammeEvaluated", {
            "case_id": case_id, "programme_number": event.programme_number, "evaluated_on": _day(event.evaluated_on),
        })
    if isinstance(event, SupportCase.MovedToSchoolUnit):
        return PublicEvent("CaseMovedToSchoolUnit", {
            "case_id": case_id, "from_unit": event.from_unit, "to_unit": event.to_unit, "moved_on": _day(event.moved_on),
        })
    if isinstance(event, (ProtectionSteps.ProtectedIdentityMarked, ProtectionSteps.AccessGranted, ProtectionSteps.AccessRevoked)):
        return protection_changed(case_id, event)
    if isinstance(event, ProtectionSteps.RegisterProtectionChanged):
        return PublicEvent("CaseProtectionChanged", {
            "case_id": case_id, "change": "register_marked" if event.register_protected else "register_lifted",
            "protected": event.protected, "granted_to": list(event.granted_to),
            "user_id": event.changed_by or REGISTER, "changed_on": _day(event.changed_on),
        })
    if isinstance(event, SupportCase.PupilLeftSchoolUnit):
        return PublicEvent("CasePupilLeftSchoolUnit", {
            "case_id": case_id, "school_unit": event.school_unit, "left_on": _day(event.left_on),
        })
    if isinstance(event, PupilRecordsDisposal.Disposed):
        return PublicEvent("PupilRecordsDisposed", {
            "pupil_ref": event.pupil_ref, "case_ids": list(event.case_ids), "disposed_on": _day(event.disposed_on),
            "record_types": list(event.record_types),
        })
    return None


def _delivered(case_id: str, decision_number: int, delivered_on: date, *, corrected: bool) -> PublicEvent:
    return PublicEvent("DecisionDelivered", {
        "case_id": case_id, "decision_number": decision_number, "delivered_on": delivered_on.isoformat(),
        "appeal_last_day": (delivered_on + timedelta(weeks=APPEAL_WEEKS)).isoformat(), "corrected": corrected,
    })


_CHANGES = {"ProtectedIdentityMarked": "marked", "AccessGranted": "granted", "AccessRevoked": "revoked"}


def protection_changed(case_id: str, event: Any) -> PublicEvent:
    """R14: the projection hides a protected pupil from everyone not in `granted_to`."""
    return PublicEvent("CaseProtectionChanged", {
        "case_id": case_id, "change": _CHANGES[type(event).__name__], "protected": True,
        "granted_to": list(event.granted_to), "user_id": event.user, "changed_on": _day(event.changed_on),
    })
