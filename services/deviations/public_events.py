"""Which domain events the deviations service publishes on stodspar.deviations.v1.

Free text stays in the service, with one exception: DeviationSentToBus carries the texts the
manager checked and de-identified (R22), and nothing else about the child. Actions and the
unit's configuration stay inside.
"""
from __future__ import annotations

from typing import Any

from deviations.domain.model import Deviation
from eventkit.config import topic
from eventkit.relay import PublicEvent
from eventkit.store import EventMeta

TOPIC = topic("stodspar.deviations.v1")


def translate(event: Any, meta: EventMeta) -> PublicEvent | None:
    deviation_id = str(event.originator_id)
    if isinstance(event, Deviation.Reported):
        return PublicEvent(
            "DeviationReported",
            {
                "deviation_id": deviation_id,
                "organisation": event.organisation,
                "unit": event.unit,
                "municipality": event.municipality,
                "reported_by": event.reporter_side,
                "organisations": event.organisations,
                "arose_in": event.arose_in,
                "category": event.category,
                "occurred_on": event.occurred_on.isoformat(),
                "principled": event.principled,
                "answer_due": event.answer_due.isoformat(),
                # 1.1: who handles it (R21); absent for deviations reported before it was recorded.
                **({"responsible_manager": event.responsible_manager} if getattr(event, "responsible_manager", "") else {}),
            },
        )
    if isinstance(event, Deviation.AnswerRecorded):
        return PublicEvent("DeviationAnswered", {"deviation_id": deviation_id, "answered_on": event.on.isoformat()})
    if isinstance(event, Deviation.SolvedLocally):
        return PublicEvent("DeviationSolvedLocally", {"deviation_id": deviation_id, "solved_on": event.on.isoformat()})
    if isinstance(event, Deviation.SentToBus):
        return PublicEvent(
            "DeviationSentToBus",
            {
                "deviation_id": deviation_id,
                # The reported facts come from the aggregate's first event; the relay has only
                # this one, so the SentToBus event repeats what the county needs.
                **event.facts,
                "description": event.description,
                "tried_locally": event.tried_locally,
                "sent_on": event.on.isoformat(),
            },
        )
    return None
