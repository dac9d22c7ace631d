"""Disposal (gallring, R17): a pupil's records are disposed of when the municipality's
document management plan (dokumenthanteringsplan) says they are due, and the disposal itself
is recorded as an event (`PupilRecordsDisposal.Disposed`), which says which cases, when, by
whom and under which plan, and nothing about who the pupil was. A run of disposals (from the
administrator's page or the scheduled job) is recorded too (`DisposalRun.Recorded`). No I/O.

Whether a pupil's records are due is decided here, once, for the page's preview, the
administrator's run and the scheduled job alike (`why_held_back`, `require_due`): each of the
`HOLDS` is a named rule that keeps a pupil's records, checked in order:

1. `PupilWithAnOpenCaseIsNotDisposed`: a case that has not ended.
2. `PupilIsNotDisposedWhileAnAppealWindowIsOpen`: an appealable decision not yet delivered,
   or delivered and still within its three weeks (R9; the last day to appeal included).
3. `PupilIsNotDisposedWhileAnAppealIsPending`: an appeal the school or the board has not yet
   finished with (cases.domain.appeal.PENDING: incomplete, late and not yet rejected, to be
   reconsidered or forwarded, or with the board).
4. `RecordsAreDisposedOnlyWhenDue` itself: the plan's retention has not run out since the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from cases.domain.decision import Decision, DecisionKind, last_day_to_appeal
from eventkit.rules import RuleBroken

SUPPORT_CASE = "support_case"
DEFAULT_RETENTION_YEARS = {SUPPORT_CASE: 5}


class RecordsAreDisposedOnlyWhenDue(RuleBroken):
    rule_id = "R17"
    message = (
        "Elevens handlingar får gallras först när dokumenthanteringsplanen säger det: "
        "alla ärenden ska vara avslutade och gallringsfristen ha löpt ut."
    )


class PupilWithAnOpenCaseIsNotDisposed(RecordsAreDisposedOnlyWhenDue):
    message = "Eleven har ett ärende som inte är avslutat, och elevens handlingar gallras inte så länge."


class PupilIsNotDisposedWhileAnAppealWindowIsOpen(RecordsAreDisposedOnlyWhenDue):
    message = (
        "Ett beslut i elevens ärende kan fortfarande överklagas (det är inte lämnat till vårdnadshavarna, "
        "eller så har tre veckor inte gått sedan dess), och elevens handlingar gallras inte så länge."
    )


class PupilIsNotDisposedWhileAnAppealIsPending(RecordsAreDisposedOnlyWhenDue):
    message = (
        "Ett överklagande i elevens ärende är inte avgjort (skolan ska ompröva, avvisa eller lämna det vidare, "
        "eller så ligger det hos Skolväsendets överklagandenämnd), och elevens handlingar gallras inte så länge."
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
class DecisionRecord:
    """What disposal needs to know of one decision: whether it can be appealed, and when it
    reached the guardians (None: not yet), from which its appeal window runs (R9)."""

    number: int
    appealable: bool
    delivered_on: date | None
    appeal_last_day: date | None = None  # the last recipient's last day, when delivered per recipient

    def appeal_window_open(self, today: date) -> bool:
        if not self.appealable:
            return False
        if self.delivered_on is None:
            return True
        return today <= (self.appeal_last_day or last_day_to_appeal(self.delivered_on))


@dataclass(frozen=True)
class CaseRecord:
    """What disposal needs to know of one case: its id, when it ended (None: still running),
    its unit, its decisions and which kinds of record it holds (`RECORD_KINDS`)."""

    case_id: str
    ended_on: date | None
    school_unit: str = ""
    decisions: tuple[DecisionRecord, ...] = ()
    kinds: tuple[str, ...] = ()
    appeals_pending: int = 0  # appeals not yet finished with (R9)


# The kinds of record a support case can hold, as the preview names them.
RECORD_KINDS = {
    "extra_adaptations": "Extra anpassningar",
    "referral": "Anmälan till rektor",
    "investigation": "Utredning",
    "decision": "Beslut",
    "programme": "Åtgärdsprogram med uppföljningar",
}


def case_record(case_id: str, status: str, decisions: Sequence[Decision], *, school_unit: str = "",
                kinds: Sequence[str] = (), appeals_pending: int = 0) -> CaseRecord:
    """When a support case ended: at its closing decision, or at a decision not to establish
    a programme that nothing followed."""
    last = decisions[-1] if decisions else None
    ended = last is not None and (status == "closed" or (status == "decided" and last.kind is DecisionKind.NO_PROGRAMME))
    return CaseRecord(
        case_id, last.decided_on if ended else None, school_unit,
        tuple(DecisionRecord(d.number, d.appealable and not d.by_board, d.delivered_on, d.appeal_last_day)
              for d in decisions),
        tuple(k for k in RECORD_KINDS if k in kinds),
        appeals_pending,
    )


def record_of(case) -> CaseRecord:
    """A support case (cases.domain.model.SupportCase) as disposal sees it: structure only."""
    kinds = [k for k, held in (("extra_adaptations", case.adaptations), ("referral", case.referral),
                               ("investigation", case.investigations), ("decision", case.decisions),
                               ("programme", case.programmes)) if held]
    return case_record(str(case.id), case.status, case.decisions, school_unit=case.school_unit, kinds=kinds,
                       appeals_pending=sum(1 for a in case.appeals if a.pending))


# -- the holds: each a named rule that keeps a pupil's records ------------------------------------
Hold = Callable[[RetentionPlan, Sequence[CaseRecord], date], "RecordsAreDisposedOnlyWhenDue | None"]


def an_open_case(plan: RetentionPlan, cases: Sequence[CaseRecord], today: date) -> RecordsAreDisposedOnlyWhenDue | None:
    return PupilWithAnOpenCaseIsNotDisposed() if any(c.ended_on is None for c in cases) else None


def an_open_appeal_window(plan: RetentionPlan, cases: Sequence[CaseRecord], today: date) -> RecordsAreDisposedOnlyWhenDue | None:
    open_ = any(d.appeal_window_open(today) for c in cases for d in c.decisions)
    return PupilIsNotDisposedWhileAnAppealWindowIsOpen() if open_ else None


def an_appeal_pending(plan: RetentionPlan, cases: Sequence[CaseRecord], today: date) -> RecordsAreDisposedOnlyWhenDue | None:
    return PupilIsNotDisposedWhileAnAppealIsPending() if any(c.appeals_pending for c in cases) else None


def retention_running(plan: RetentionPlan, cases: Sequence[CaseRecord], today: date) -> RecordsAreDisposedOnlyWhenDue | None:
    if not cases or any(c.ended_on is None or plan.due_on(SUPPORT_CASE, c.ended_on) > today for c in cases):
        return RecordsAreDisposedOnlyWhenDue()
    return None


# What the preview says of the pupils each hold keeps ("… elever gallras inte nu: …").
HELD_BACK = {
    "PupilWithAnOpenCaseIsNotDisposed": "har ett ärende som inte är avslutat",
    "PupilIsNotDisposedWhileAnAppealWindowIsOpen": "har ett beslut som fortfarande kan överklagas",
    "PupilIsNotDisposedWhileAnAppealIsPending": "har ett överklagande som inte är avgjort",
    "RecordsAreDisposedOnlyWhenDue": "väntar på att gallringsfristen ska löpa ut",
}

# In order: the first that holds is the reason given.
HOLDS: tuple[Hold, ...] = (an_open_case, an_open_appeal_window, an_appeal_pending, retention_running)


def why_held_back(plan: RetentionPlan, cases: Sequence[CaseRecord], today: date) -> RecordsAreDisposedOnlyWhenDue | None:
    """The first rule that keeps the pupil's records today; None: they are due."""
    for hold in HOLDS:
        if (broken := hold(plan, cases, today)) is not None:
            return broken
    return None


def require_due(plan: RetentionPlan, cases: Sequence[CaseRecord], today: date) -> None:
    if (broken := why_held_back(plan, cases, today)) is not None:
        raise broken


def due_cases(plan: RetentionPlan, cases: list[CaseRecord], today: date) -> bool:
    """All of the pupil's cases have ended, no appeal window is open, and the retention has run out."""
    return why_held_back(plan, cases, today) is None


def due_since(plan: RetentionPlan, cases: Sequence[CaseRecord]) -> date | None:
    """The day the pupil's records became due under the plan (the last case's end plus its
    retention); None while a case runs."""
    if not cases or any(c.ended_on is None for c in cases):
        return None
    return max(plan.due_on(SUPPORT_CASE, c.ended_on) for c in cases)


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
        require_due(plan, cases, today)
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


@dataclass(frozen=True)
class DisposedPupil:
    """One pupil in a run: where and since when their records were due, what they held (no
    reference, no name: the run's record is read by the administrator)."""

    school_unit: str
    due_year: int
    cases: int
    kinds: tuple[str, ...]


def disposed_pupil(plan: RetentionPlan, cases: Sequence[CaseRecord]) -> DisposedPupil:
    """A due pupil as the preview and the run's record count them: at the unit of the case that
    ended last, in the year the records became due."""
    last = max(cases, key=lambda c: c.ended_on or date.min)
    due = due_since(plan, cases)
    return DisposedPupil(last.school_unit, due.year if due else 0, len(cases),
                         tuple(k for k in RECORD_KINDS if any(k in c.kinds for c in cases)))


@dataclass(frozen=True)
class Preview:
    """What a run today would dispose of, in counts, and how many pupils each hold keeps."""

    due: tuple[DisposedPupil, ...]
    held_back: dict[str, int]  # rule name → pupils

    @classmethod
    def of(cls, plan: RetentionPlan, pupils: Sequence[Sequence[CaseRecord]], today: date) -> "Preview":
        due, held = [], {}
        for cases in pupils:
            broken = why_held_back(plan, cases, today)
            if broken is None:
                due.append(disposed_pupil(plan, cases))
            else:
                held[broken.rule_name] = held.get(broken.rule_name, 0) + 1
        return cls(tuple(due), held)

    def counts(self) -> dict:
        return {"pupils": len(self.due), "cases": sum(p.cases for p in self.due),
                "per_unit_and_year": _counted((p.school_unit, p.due_year) for p in self.due),
                "kinds": _counted((k,) for p in self.due for k in p.kinds)}


class DisposalRun(Aggregate):
    """The record of one disposal run of a municipality: who ran it (or the scheduled job), when,
    and what it disposed of, as counts per school unit, year and kind of record. Each pupil's own
    disposal is its `PupilRecordsDisposal`; the run adds what the administrator sees afterwards."""

    @classmethod
    def record(
        cls, *, municipality: str, run_by: str, scheduled: bool, on: date, pupils: Sequence[DisposedPupil],
        id: UUID | None = None,  # noqa: A002 - from the idempotency key (eventkit.store.creation_id)
    ) -> "DisposalRun":
        return cls._create(
            cls.Recorded, id=id or uuid4(), municipality=municipality, run_by=run_by, scheduled=scheduled, run_on=on,
            pupils=len(pupils), cases=sum(p.cases for p in pupils),
            per_unit_and_year=_counted((p.school_unit, p.due_year) for p in pupils),
            kinds=_counted((k,) for p in pupils for k in p.kinds),
        )

    class Recorded(Aggregate.Created):
        municipality: str
        run_by: str
        scheduled: bool
        run_on: date
        pupils: int
        cases: int
        per_unit_and_year: list
        kinds: list

    def __init__(self, municipality: str, run_by: str, scheduled: bool, run_on: date, pupils: int, cases: int,
                 per_unit_and_year: list, kinds: list) -> None:
        self.municipality = municipality
        self.run_by = run_by
        self.scheduled = scheduled
        self.run_on = run_on
        self.pupils = pupils
        self.cases = cases
        self.per_unit_and_year = [list(row) for row in per_unit_and_year]
        self.kinds = [list(row) for row in kinds]


def _counted(keys) -> list[list]:
    """[[*key, count], …] in key order: JSON-friendly counts."""
    counts: dict[tuple, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return [[*key, n] for key, n in sorted(counts.items())]
