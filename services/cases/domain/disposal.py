"""Disposal (gallring, R17): a pupil's records are disposed of when the municipality's
document management plan (dokumenthanteringsplan) says they are due, and the disposal itself
is recorded as an event (`PupilRecordsDisposal.Disposed`), which says which cases, when, by
whom and under which plan, and nothing about who the pupil was. No I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from cases.domain.decision import Decision, DecisionKind
from eventkit.rules import RuleBroken

SUPPORT_CASE = "support_case"
DEFAULT_RETENTION_YEARS = {SUPPORT_CASE: 5}


class RecordsAreDisposedOnlyWhenDue(RuleBroken):
    rule_id = "R17"
    message = (
        "Elevens handlingar får gallras först när dokumenthanteringsplanen säger det: "
        "alla ärenden ska vara avslutade och gallringsfristen ha löpt ut."
    )


class RecordsAreDisposedOnce(RuleBroken):
    rule_id = "R17"
    message = "Elevens handlingar är redan gallrade."


@dataclass(frozen=True)
class RetentionPlan:
    """Retention per record type, in whole years after the record ended (a setting per
    municipality; `deploy/municipality-settings.json` → `retention_years`)."""

    years: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION_YEARS))

    def due_on(self, record_type: str, ended_on: date) -> date:
        years = int(self.years.get(record_type, DEFAULT_RETENTION_YEARS.get(record_type, 5)))
        try:
            return ended_on.replace(year=ended_on.year + years)
        except ValueError:  # 29 February
            return ended_on.replace(year=ended_on.year + years, day=28)


@dataclass(frozen=True)
class CaseRecord:
    """What disposal needs to know of one case: its id and when it ended (None: still running)."""

    case_id: str
    ended_on: date | None


def case_record(case_id: str, status: str, decisions: Sequence[Decision]) -> CaseRecord:
    """When a support case ended: at its closing decision, or at a decision not to establish
    a programme that nothing followed."""
    last = decisions[-1] if decisions else None
    ended = last is not None and (status == "closed" or (status == "decided" and last.kind is DecisionKind.NO_PROGRAMME))
    return CaseRecord(case_id, last.decided_on if ended else None)


def due_cases(plan: RetentionPlan, cases: list[CaseRecord], today: date) -> bool:
    """All of the pupil's cases have ended and are past their retention."""
    return bool(cases) and all(
        c.ended_on is not None and plan.due_on(SUPPORT_CASE, c.ended_on) <= today for c in cases
    )


class PupilRecordsDisposal(Aggregate):
    """The record that a pupil's records were disposed of (one per pupil reference)."""

    @staticmethod
    def id_for(pupil_ref: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"stodspar:disposal:{pupil_ref}")

    @classmethod
    def dispose(
        cls, *, pupil_ref: str, municipality: str, cases: list[CaseRecord], plan: RetentionPlan, today: date,
        disposed_by: str, scheduled: bool,
    ) -> "PupilRecordsDisposal":
        if not due_cases(plan, cases, today):
            raise RecordsAreDisposedOnlyWhenDue()
        return cls(
            pupil_ref=pupil_ref, municipality=municipality, case_ids=[c.case_id for c in cases],
            record_types=[SUPPORT_CASE], retention_years=dict(plan.years), disposed_by=disposed_by,
            disposed_on=today, scheduled=scheduled,
        )

    @classmethod
    def create_id(cls, pupil_ref: str, **_: object) -> UUID:
        return cls.id_for(pupil_ref)

    @event("Disposed")
    def __init__(
        self, pupil_ref: str, municipality: str, case_ids: list, record_types: list, retention_years: dict,
        disposed_by: str, disposed_on: date, scheduled: bool,
    ) -> None:
        self.pupil_ref = pupil_ref
        self.municipality = municipality
        self.case_ids = list(case_ids)
        self.record_types = list(record_types)
        self.retention_years = dict(retention_years)
        self.disposed_by = disposed_by
        self.disposed_on = disposed_on
        self.scheduled = scheduled
