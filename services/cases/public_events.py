"""Which domain events the cases service publishes, and in what public shape.

The contracts in contracts/events/ define these shapes. Free text about the pupil's
needs stays in the service; the municipal topic carries only what views need.
"""
from __future__ import annotations

from typing import Any

from cases.domain.model import SupportCase
from eventkit.relay import PublicEvent
from eventkit.store import EventMeta

TOPIC = "stodspar.cases.v1"


def translate(event: Any, meta: EventMeta) -> PublicEvent | None:
    if isinstance(event, SupportCase.Opened):
        return PublicEvent(
            "CaseOpened",
            {
                "case_id": str(event.originator_id),
                "school_unit": event.school_unit,
                "pupil_name": event.pupil_name,
            },
        )
    if isinstance(event, SupportCase.ExtraAdaptationRecorded):
        return PublicEvent("ExtraAdaptationRecorded", {"case_id": str(event.originator_id)})
    if isinstance(event, SupportCase.ReferredToRektor):
        return PublicEvent(
            "CaseReferredToRektor",
            {
                "case_id": str(event.originator_id),
                "referred_on": event.referred_on.isoformat(),
                "direct": bool(event.special_reason),
                "investigation_due": event.investigation_due.isoformat(),
                "decision_due": event.decision_due.isoformat(),
            },
        )
    return None
