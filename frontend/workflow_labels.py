"""Swedish words for the support case's workflow, shared by the case, history and print pages.
Investigation parts, decision kinds and placements come from the cases service's vocabularies in
contracts/ (eventkit.vocabulary)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from eventkit.vocabulary import labels
from frontend.forms import FormState

INVESTIGATION_PARTS = list(labels("InvestigationPart").items())
DECISION_LABELS = labels("DecisionKind")
PLACEMENT_LABELS = labels("Placement")
# Event-type names of the history and the case's derived statuses are not published lists; they
# stay here until the history is rewritten.
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


CORRECTABLE_LABELS = {
    "adaptation": "extra anpassning", "investigation": "uppgift i utredningen", "participation": "delaktighet",
    "follow_up": "uppföljning", "evaluation": "utvärdering", "delivery": "delgivningsdatum",
}


def correctable_options(case: dict[str, Any], events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The entries a correction may name (R16), newest first: 'Nr 7: uppföljning (2026-10-01)'."""
    when = {str(e["version"]): e["at"][:10] for e in events}
    return [
        (version, f"Nr {version}: {CORRECTABLE_LABELS.get(kind, kind)} ({when.get(version, '')})")
        for version, kind in sorted(case.get("correctable", {}).items(), key=lambda item: -int(item[0]))
    ]


def step_context() -> dict[str, Any]:
    return {
        "forms": defaultdict(FormState),
        "investigation_parts": INVESTIGATION_PARTS,
        "decision_labels": DECISION_LABELS,
        "placement_labels": PLACEMENT_LABELS,
        "event_labels": EVENT_LABELS,
        "status_labels": STATUS_LABELS,
        "correctable_options": correctable_options,
    }
