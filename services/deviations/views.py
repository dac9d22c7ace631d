"""Plain values of a deviation for the API: the details page and a row of the overview."""
from __future__ import annotations

from datetime import date
from typing import Any

from deviations.domain.configuration import UnitConfiguration
from deviations.domain.model import Deviation
from eventkit.identity import Identity


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def status_of(deviation: Deviation) -> str:
    if deviation.outcome:
        return deviation.outcome
    if deviation.returned:  # held back by the check before the regional stream, the manager's again
        return "returned"
    return "handling" if deviation.actions or deviation.answer else "reported"


def deviation_row(deviation: Deviation, mine_to_handle: bool, today: date) -> dict[str, Any]:
    return {
        "deviation_id": str(deviation.id),
        "unit": deviation.unit,
        "category": deviation.category,
        "organisations": deviation.organisations,
        "occurred_on": deviation.occurred_on.isoformat(),
        "reported_on": deviation.reported_on.isoformat(),
        "answer_due": deviation.answer_due.isoformat(),
        "answered": deviation.answer is not None,
        "answer_overdue": deviation.answer_overdue(today),
        "days_overdue": max(0, (today - deviation.answer_due).days) if deviation.answer_overdue(today) else 0,
        "status": status_of(deviation),
        "mine_to_handle": mine_to_handle,
    }


def deviation_details(
    deviation: Deviation, configuration: UnitConfiguration | None, who: Identity, today: date
) -> dict[str, Any]:
    manager = configuration.manager if configuration else ""
    return {
        **deviation_row(deviation, manager == who.user_id, today),
        "version": deviation.version,
        "organisation": deviation.organisation,
        "municipality": deviation.municipality,
        "reporter_side": deviation.reporter_side,
        "reported_by": deviation.reported_by,
        "manager": manager,
        "description": deviation.description,
        "tried_locally": deviation.tried_locally,
        "principled": deviation.principled,
        "arose_in": deviation.arose_in,
        "actions": _iso(deviation.actions),
        "answer": _iso(deviation.answer),
        "outcome": deviation.outcome,
        "outcome_on": _iso(deviation.outcome_on),
        "summary": deviation.summary,
        "sent": deviation.sent,
        "returned": _iso(deviation.returned),
        # R17: the texts were disposed of with the records of a pupil they named (empty above).
        "texts_disposed_on": _iso(deviation.texts_disposed_on),
    }
