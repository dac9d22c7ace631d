"""Which fields of the support case's events hold personal data (R17, ADR 0020): the pupil's
personnummer and name, and every free text about the pupil (it may name the pupil, family or
diagnoses). The event store keeps them encrypted under the pupil's own key
(eventkit.shredding); everything else (ids, dates, kinds, statuses, staff ids, units) stays
readable, so the case's structure outlives its disposal.
"""
from __future__ import annotations

from cases.domain.appeal import AppealSteps
from cases.domain.corrections import CorrectionSteps
from cases.domain.decision import DecisionSteps
from cases.domain.investigation import InvestigationSteps
from cases.domain.medical import MedicalRecord
from cases.domain.model import SupportCase
from cases.domain.programme import ProgrammeSteps

PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {
    SupportCase.Opened: ("pupil_personal_number", "pupil_name"),
    SupportCase.ExtraAdaptationRecorded: ("description",),
    SupportCase.ReferredToRektor: ("tried_adaptations", "why_not_enough", "special_reason"),
    InvestigationSteps.InvestigationStarted: ("without_team_reason",),
    InvestigationSteps.InvestigationRecorded: ("parts",),
    InvestigationSteps.InvestigationConcluded: ("proposal",),
    DecisionSteps.Decided: ("reasons",),
    ProgrammeSteps.ParticipationRecorded: ("views",),
    ProgrammeSteps.ProgrammeIssued: ("needs", "measures"),
    ProgrammeSteps.FollowUpRecorded: ("findings",),
    ProgrammeSteps.ProgrammeEvaluated: ("outcome",),
    CorrectionSteps.Corrected: ("value", "reason"),
    MedicalRecord.EntryRecorded: ("text",),
    # R9: what the appeal asks, and every reason and comment the school or the board writes
    AppealSteps.AppealRegistered: ("asks",),
    AppealSteps.OneGuardianSuffices: ("reason",),
    AppealSteps.AppealRejected: ("reasons",),
    AppealSteps.DecisionReconsidered: ("reasons",),
    AppealSteps.AppealForwarded: ("comments", "documents"),
    AppealSteps.BoardDecided: ("reasons",),  # R14: the medical part, encrypted like the rest
}

# Fields that are not about the pupil: structure that stays readable after disposal.
STRUCTURE = {
    "originator_id", "originator_version", "timestamp", "originator_topic", "municipality", "school_unit",
    "pupil_ref", "opened_by", "opened_on", "recorded_by", "referred_by", "referred_on", "investigation_due", "decision_due",
    "started_by", "investigator", "student_health_team", "started_on", "concluded_by", "concluded_on", "number",
    "kind", "placements", "decided_by", "delegation_number", "decided_on", "appealable", "decision_number",
    "delivered_on", "party", "offered_on", "took_part", "follow_up_dates", "follow_up_responsible", "evaluation_on",
    "evaluation_responsible", "issued_by", "issued_on", "programme_number", "followed_up_by", "followed_up_on",
    "evaluated_by", "evaluated_on", "from_unit", "to_unit", "moved_by", "moved_on", "corrects_version", "ref",
    "field", "corrected_by",
    # R14: protected identity (staff ids and dates) and the medical record's frame
    "user", "changed_by", "changed_on", "granted_to", "case_id", "recorded_on",
    # what the register says of the pupil (followed from the directory): flags and dates
    "protected_by_register", "register_protected", "protected", "left_on",
    # R14: a teacher invited to the investigation, and the invitation withdrawn (staff ids and dates)
    "teacher", "invited_by", "invited_on", "withdrawn_by", "withdrawn_on",
    # R9: delivery per recipient and the appeal's course (parties as in participation, dates, outcomes)
    "recipient", "method", "appeal_last_day", "received_on", "appeal_number", "appellants", "registered_by", "last_day", "timely",
    "delay_caused_by_school", "pupil_may_appeal_alone", "guardian", "joined_on", "changes_decision", "in_full",
    "forwarded_on", "forwarded_by", "late", "board_outcome", "sent_back_to", "decision_in_question",
}
