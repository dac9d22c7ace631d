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
    "closed": "Avslutat",
}


# What a correction may name (R16): the kind of entry, and the fields of entries other than an
# investigation's (whose parts are INVESTIGATION_LABELS).
CORRECTABLE_LABELS = {
    "adaptation": "extra anpassning", "investigation": "utredningen", "proposal": "utredningens förslag",
    "participation": "delaktighet", "follow_up": "uppföljning", "evaluation": "utvärdering", "delivery": "delgivning",
}
CORRECTION_FIELD_LABELS = {
    "description": "Den extra anpassningen", "proposal": "Förslaget till beslut", "views": "Synpunkterna",
    "findings": "Vad uppföljningen visade", "outcome": "Vad utvärderingen visade", "delivered_on": "Delgivningsdatum",
}


def step_context() -> dict[str, Any]:
    return {
        "forms": defaultdict(FormState),
        "investigation_parts": INVESTIGATION_PARTS,
        "decision_labels": DECISION_LABELS,
        "placement_labels": PLACEMENT_LABELS,
        "event_labels": EVENT_LABELS,
        "status_labels": STATUS_LABELS,
        "teachers": TEACHERS,
    }
