"""Which domain events the cases service publishes, and in what public shape.

The contracts in contracts/events/ define these shapes. Free text about the pupil (needs,
views, assessments, findings, reasons) stays in the service; the municipal topic carries
only what views need: ids, dates, kinds and staff ids. Participation and the investigation's
content are not published at all.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cases.domain.appeal import AppealSteps, is_complete
from cases.domain.corrections import CorrectionSteps
from cases.domain.appeal import FORWARD_WITHIN_DAYS
from cases.domain.decision import APPEAL_WEEKS, DecisionSteps
from cases.domain.disposal import PupilRecordsDisposal
from cases.domain.investigation import InvestigationSteps
from cases.domain.model import SupportCase
from cases.domain.programme import ProgrammeSteps
from cases.domain.protection import ProtectionSteps
from eventkit.config import topic
from eventkit.dates import local_day
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
    if isinstance(event, DecisionSteps.DecisionReceived):
        return _delivered(case_id, event.decision_number, event.received_on, corrected=False,
                          last_day=event.appeal_last_day, recipient=event.recipient, method=event.method)
    if isinstance(event, CorrectionSteps.Corrected) and event.kind == "receipt" and event.value:
        # The corrected recipient's own window (the views keep the latest they were told).
        return _delivered(case_id, event.ref[0], date.fromisoformat(event.value), corrected=True)
    if isinstance(event, AppealSteps.AppealRegistered):
        return PublicEvent("AppealRegistered", {
            "case_id": case_id, "appeal_number": event.number, "decision_number": event.decision_number,
            "received_on": _day(event.received_on), "timely": event.timely or event.delay_caused_by_school,
            "complete": is_complete(event.appellants, event.pupil_may_appeal_alone),
            "forward_due": _day(event.received_on + timedelta(days=FORWARD_WITHIN_DAYS)),
            "by_pupil": "pupil" in event.appellants,
        })
    if isinstance(event, AppealSteps.AppealJoined):
        return PublicEvent("AppealCompleted", {"case_id": case_id, "appeal_number": event.appeal_number,
                                               "completed_on": _day(event.joined_on), "how": "other_guardian_joined"})
    if isinstance(event, AppealSteps.OneGuardianSuffices):
        return PublicEvent("AppealCompleted", {"case_id": case_id, "appeal_number": event.appeal_number,
                                               "completed_on": _day(local_day(event.timestamp)),
                                               "how": "one_guardian_suffices"})
    if isinstance(event, AppealSteps.AppealRejected):
        return PublicEvent("AppealRejected", {"case_id": case_id, "appeal_number": event.appeal_number,
                                              "rejected_on": _day(event.decided_on)})
    if isinstance(event, AppealSteps.DecisionReconsidered):
        return PublicEvent("CaseDecided", {
            "case_id": case_id, "decision_number": event.number,
            "kind": event.kind, "decided_on": _day(event.decided_on), "appealable": event.appealable,
            "delegated": event.delegation_number is not None, "rektor_only": bool(event.placements),
            "changes_decision": event.changes_decision, "appeal_number": event.appeal_number,
            "appeal_lapsed": event.in_full,
        })
    if isinstance(event, AppealSteps.AppealForwarded):
        return PublicEvent("AppealForwarded", {"case_id": case_id, "appeal_number": event.appeal_number,
                                               "forwarded_on": _day(event.forwarded_on), "late": event.late})
    if isinstance(event, AppealSteps.BoardDecided):
        return PublicEvent("AppealDecidedByBoard", {
            "case_id": case_id, "appeal_number": event.appeal_number, "outcome": event.board_outcome,
            "decided_on": _day(event.decided_on), "sent_back_to": event.sent_back_to, "decision_number": event.number,
            "kind": event.kind,
        })
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


def _delivered(case_id: str, decision_number: int, delivered_on: date, *, corrected: bool, last_day: date | None = None,
               recipient: str | None = None, method: str | None = None) -> PublicEvent:
    data = {
        "case_id": case_id, "decision_number": decision_number, "delivered_on": delivered_on.isoformat(),
        "appeal_last_day": (last_day or delivered_on + timedelta(weeks=APPEAL_WEEKS)).isoformat(), "corrected": corrected,
    }
    if recipient is not None:  # 1.1: who (by kind only: never which guardian) and how
        data["recipient"] = "guardian" if recipient.startswith("guardian:") else recipient
    if method is not None:
        data["method"] = method
    return PublicEvent("DecisionDelivered", data)


_CHANGES = {"ProtectedIdentityMarked": "marked", "AccessGranted": "granted", "AccessRevoked": "revoked"}


def protection_changed(case_id: str, event: Any) -> PublicEvent:
    """R14: the projection hides a protected pupil from everyone not in `granted_to`."""
    return PublicEvent("CaseProtectionChanged", {
        "case_id": case_id, "change": _CHANGES[type(event).__name__], "protected": True,
        "granted_to": list(event.granted_to), "user_id": event.user, "changed_on": _day(event.changed_on),
    })
