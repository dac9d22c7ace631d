"""Swedish words for the support case's workflow, shared by the case, history and print pages.
Investigation parts, decision kinds and placements come from the cases service's vocabularies in
contracts/ (eventkit.vocabulary)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from eventkit.vocabulary import labels
from frontend.forms import FormState

INVESTIGATION_LABELS = labels("InvestigationPart")
INVESTIGATION_PARTS = list(INVESTIGATION_LABELS.items())
DECISION_LABELS = labels("DecisionKind")
PLACEMENT_LABELS = labels("Placement")
# R9: how a decision reached a recipient, the board's outcome, where a sent-back matter starts
# again, and where an appeal stands (published vocabularies of the cases service).
DELIVERY_METHOD_LABELS = labels("DeliveryMethod")
BOARD_OUTCOME_LABELS = labels("BoardOutcome")
SENT_BACK_TO_LABELS = labels("SentBackTo")
APPEAL_STATUS_LABELS = labels("AppealStatus")
# The decisions a school may change on reconsideration, or the board into: the appealable kinds.
APPEALABLE_KIND_LABELS = {k: v for k, v in DECISION_LABELS.items() if k != "close_programme"}
# What usually goes with an appeal to the board (the forwarding form's checkboxes; all but the
# programme checked when the decision established none).
FORWARD_DOCUMENTS = ("Överklagandet", "Det överklagade beslutet", "Utredningen", "Åtgärdsprogrammet", "Skolans yttrande")
# The law each placement is decided under (R6; docs/rules.md).
PLACEMENT_LAW = {
    "special_teaching_group": "skollagen 3 kap. 11 §",
    "individual_tuition": "skollagen 3 kap. 11 §",
    "adapted_study_path": "skollagen 3 kap. 12 §",
}
# The rules of docs/rules.md each event of the case follows (the history names them), and the
# law behind a rule where the history can name one.
EVENT_RULES = {
    "ExtraAdaptationRecorded": ("R1",), "ReferredToRektor": ("R2",), "InvestigationStarted": ("R2", "R3"),
    "InvestigationRecorded": ("R3",), "InvestigationConcluded": ("R3", "R4"), "Decided": ("R4",),
    "DecisionDelivered": ("R9",), "ParticipationRecorded": ("R8",), "ProgrammeIssued": ("R7",),
    "FollowUpRecorded": ("R10",), "ProgrammeEvaluated": ("R10",), "MovedToSchoolUnit": ("R11",),
    "PupilLeftSchoolUnit": ("R11",), "ProtectedIdentityMarked": ("R14",), "RegisterProtectionChanged": ("R14",),
    "AccessGranted": ("R14",), "AccessRevoked": ("R14",), "Corrected": ("R16",), "Disposed": ("R17",),
    "InvitedToInvestigation": ("R14",), "InvitationWithdrawn": ("R14",),
    "DecisionReceived": ("R9",), "AppealRegistered": ("R9",), "AppealJoined": ("R9",), "OneGuardianSuffices": ("R9",),
    "AppealRejected": ("R9",), "DecisionReconsidered": ("R9",), "AppealForwarded": ("R9",), "BoardDecided": ("R9",),
}
# The law each step of the appeal follows (the history names it beside R9).
EVENT_LAW = {
    "DecisionReceived": "förvaltningslagen 44 §", "AppealRegistered": "förvaltningslagen 44 och 45 §§",
    "AppealJoined": "förvaltningslagen 44 §", "OneGuardianSuffices": "förvaltningslagen 44 §",
    "AppealRejected": "förvaltningslagen 45 §", "DecisionReconsidered": "förvaltningslagen 37–39 §§",
    "AppealForwarded": "skollagen 28 kap. 16 §", "BoardDecided": "skollagen 28 kap. 16 §",
}
LAW = {
    "R1": "skollagen 3 kap. 5 §", "R2": "skollagen 3 kap. 7 §", "R3": "skollagen 3 kap. 8 §",
    "R4": "skollagen 3 kap. 9 §", "R5": "skollagen 2 kap. 10 §", "R6": "skollagen 3 kap. 11 och 12 §§",
    "R7": "skollagen 3 kap. 9 §", "R8": "skollagen 3 kap. 9 §", "R9": "skollagen 28 kap. 16 §",
    "R14": "offentlighets- och sekretesslagen 23 kap. 2 §", "R16": "förvaltningslagen 36 §",
}
# Event-type names (the delegations page's history; the case's Historik is written in sentences
# by frontend/case_history.py) and the case's derived statuses are not published lists.
EVENT_LABELS = {
    "Opened": "Ärendet öppnades",
    "ExtraAdaptationRecorded": "Extra anpassning",
    "ReferredToRektor": "Anmälan till rektor",
    "InvestigationStarted": "Utredningen inleddes",
    "InvestigationRecorded": "Uppgifter i utredningen",
    "InvestigationConcluded": "Utredningen avslutades med förslag",
    "Decided": "Beslut",
    "DecisionDelivered": "Beslutet delgavs",
    "ParticipationRecorded": "Delaktighet",
    "ProgrammeIssued": "Åtgärdsprogram utfärdades",
    "FollowUpRecorded": "Uppföljning",
    "ProgrammeEvaluated": "Utvärdering",
    "MovedToSchoolUnit": "Byte av skolenhet",
    "Corrected": "Rättelse",
    "InvitedToInvestigation": "Lärare inbjuden till utredningen",
    "InvitationWithdrawn": "Inbjudan till utredningen togs tillbaka",
    "DecisionReceived": "Beslutet togs emot",
    "AppealRegistered": "Överklagande",
    "AppealJoined": "Vårdnadshavaren anslöt sig till överklagandet",
    "OneGuardianSuffices": "En vårdnadshavare räcker",
    "AppealRejected": "Överklagandet avvisades",
    "DecisionReconsidered": "Beslutet omprövades",
    "AppealForwarded": "Överklagandet lämnades till överklagandenämnden",
    "BoardDecided": "Överklagandenämndens avgörande",
}
# Who may be responsible for a measure besides a staff member: the pupil's teachers.
TEACHERS = ("lärare", "Undervisande lärare")
STATUS_LABELS = {
    "open": "Öppet",
    "referred": "Anmäld till rektor",
    "investigating": "Utreds",
    "investigated": "Utredd, väntar på beslut",
    "decided": "Beslutat",
    "programme": "Åtgärdsprogram",
    "moved": "Ny skolenhet, ny utredning behövs",
    "sent_back": "Återförvisat – ny utredning",
    "closed": "Avslutat",
}


# What a correction may name (R16): the kind of entry, and the fields of entries other than an
# investigation's (whose parts are INVESTIGATION_LABELS).
CORRECTABLE_LABELS = {
    "adaptation": "extra anpassning", "investigation": "utredningen", "proposal": "utredningens förslag",
    "participation": "delaktighet", "follow_up": "uppföljning", "evaluation": "utvärdering", "delivery": "delgivning",
    "receipt": "delgivning till en mottagare",
}
CORRECTION_FIELD_LABELS = {
    "description": "Den extra anpassningen", "proposal": "Förslaget till beslut", "views": "Synpunkterna",
    "findings": "Vad uppföljningen visade", "outcome": "Vad utvärderingen visade", "delivered_on": "Delgivningsdatum",
    "received_on": "Dagen då beslutet togs emot",
}
DATE_FIELDS = ("delivered_on", "received_on")  # correctable fields that hold a day


def step_context() -> dict[str, Any]:
    return {
        "forms": defaultdict(FormState),
        "investigation_parts": INVESTIGATION_PARTS,
        "decision_labels": DECISION_LABELS,
        "placement_labels": PLACEMENT_LABELS,
        "event_labels": EVENT_LABELS,
        "status_labels": STATUS_LABELS,
        "teachers": TEACHERS,
        "delivery_method_labels": DELIVERY_METHOD_LABELS,
        "board_outcome_labels": BOARD_OUTCOME_LABELS,
        "sent_back_to_labels": SENT_BACK_TO_LABELS,
        "appeal_status_labels": APPEAL_STATUS_LABELS,
        "appealable_kind_labels": APPEALABLE_KIND_LABELS,
        "forward_documents": FORWARD_DOCUMENTS,
    }
