"""The action programme (åtgärdsprogram, R7) and its life: participation of pupil and
guardians (R8), follow-ups and evaluation (R10), valid at the unit that made it (R11).

The programme is a public decision (R18): it holds needs, measures and follow-up, never
diagnoses or other sensitive facts, which belong in the investigation."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from eventsourcing.domain import Aggregate, event

from cases.domain import dates
from cases.domain.decision import Decision, DecisionKind
from cases.domain.rules import (
    ActionProgrammeHoldsNoDiagnoses,
    ActionProgrammeMustStateNeedsMeasuresAndFollowUp,
    FollowUpNeedsAProgrammeInForce,
    FollowUpNeedsWhatWasFound,
    ProgrammeIsValidOnlyAtTheSchoolUnitThatMadeIt,
    ProgrammeNeedsADecisionToEstablishIt,
    ProgrammeNeedsPupilAndGuardiansOfferedParticipation,
)
from cases.domain.values import replaced_at

PARTIES = {"pupil": "eleven", "guardians": "vårdnadshavarna"}
# One guardian, by the school register's id of the guardian: "guardian:<uuid>" (R8).
ONE_GUARDIAN = re.compile(r"guardian:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_party(party: str) -> bool:
    """The pupil, the guardians together, or one guardian named by the register's id."""
    return party in PARTIES or ONE_GUARDIAN.fullmatch(party) is not None


def is_guardian(party: str) -> bool:
    return party == "guardians" or ONE_GUARDIAN.fullmatch(party) is not None
# A guard, not a classifier: words that reveal a diagnosis or a medical fact (R18).
SENSITIVE = re.compile(
    r"\b(diagnos\w*|adhd|add|autism\w*|asperger\w*|dyslexi\w*|dyskalkyli\w*|tourette\w*|"
    r"npf|intellektuell funktionsnedsättning|depression\w*|ångestsyndrom\w*|epilepsi\w*|bup)\b",
    re.IGNORECASE,
)
# The decisions a programme is issued after (R7): to establish one, or to continue with new measures.
ESTABLISHING_KINDS = (DecisionKind.ESTABLISH_PROGRAMME, DecisionKind.CONTINUE_WITH_NEW_MEASURES)


@dataclass(frozen=True)
class Participation:
    """Pupil's or guardians' participation when the programme is worked out (R8)."""

    party: str  # a key of PARTIES, or "guardian:<the register's id of the guardian>"
    offered_on: date
    took_part: bool
    views: str
    recorded_by: str


@dataclass(frozen=True)
class Measure:
    description: str
    extent: str
    responsible: str


@dataclass(frozen=True)
class FollowUp:
    findings: str
    followed_up_by: str
    followed_up_on: date


@dataclass(frozen=True)
class Evaluation:
    outcome: str
    evaluated_by: str
    evaluated_on: date


@dataclass(frozen=True)
class Programme:
    """One action programme: needs, measures and follow-up only (R18), valid where it was issued (R11)."""

    number: int
    decision_number: int
    school_unit: str
    needs: str
    measures: tuple[Measure, ...]
    follow_up_dates: tuple[date, ...]
    follow_up_responsible: str
    evaluation_on: date
    evaluation_responsible: str
    issued_by: str
    issued_on: date
    follow_ups: tuple[FollowUp, ...] = ()
    evaluation: Evaluation | None = None
    closed_on: date | None = None
    superseded: bool = False  # replaced by a programme with new measures


def programme_problems(
    needs: str, measures: list[dict], follow_up_dates: list[date], follow_up_responsible: str,
    evaluation_on: date | None, evaluation_responsible: str, issued_on: date,
) -> dict[str, str]:
    """One message per missing part of the programme (R7), by the form's field names."""
    problems: dict[str, str] = {}
    if not needs.strip():
        problems["needs"] = "Beskriv elevens behov av särskilt stöd."
    if not measures:
        problems["measures"] = "Ange minst en åtgärd."
    for index, measure in enumerate(measures):
        if not measure.get("description", "").strip():
            problems[f"measures.{index}.description"] = f"Åtgärd {index + 1}: beskriv åtgärden konkret."
        if not measure.get("extent", "").strip():
            problems[f"measures.{index}.extent"] = f"Åtgärd {index + 1}: ange omfattningen (t.ex. 2 lektioner i veckan)."
        if not measure.get("responsible", "").strip():
            problems[f"measures.{index}.responsible"] = f"Åtgärd {index + 1}: ange vem som ansvarar."
    if not follow_up_dates:
        problems["follow_up_dates"] = "Ange när uppföljningen ska göras."
    elif any(day < issued_on for day in follow_up_dates):
        problems["follow_up_dates"] = "Uppföljningen kan inte ligga före programmets datum."
    if not follow_up_responsible.strip():
        problems["follow_up_responsible"] = "Ange vem som ansvarar för uppföljningen."
    if evaluation_on is None:
        problems["evaluation_on"] = "Ange när programmet ska utvärderas."
    elif evaluation_on < issued_on:
        problems["evaluation_on"] = "Utvärderingen kan inte ligga före programmets datum."
    if not evaluation_responsible.strip():
        problems["evaluation_responsible"] = "Ange vem som ansvarar för utvärderingen."
    return problems


def sensitive_facts(needs: str, measures: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    texts = {"needs": needs}
    for index, measure in enumerate(measures):
        texts[f"measures.{index}.description"] = measure.get("description", "")
    for name, text in texts.items():
        if SENSITIVE.search(text or ""):
            found[name] = "Diagnoser och andra känsliga uppgifter hör hemma i utredningen, inte i åtgärdsprogrammet."
    return found


class ProgrammeSteps(Aggregate):
    """The action programme's part of the support case (mixed into `SupportCase`)."""

    participation: tuple[Participation, ...]

    def programme_in_force(self) -> Programme | None:
        """The programme that applies now: issued here, not closed (R10, R11)."""
        current = self.programmes[-1] if self.programmes else None
        if current and current.closed_on is None and current.school_unit == self.school_unit:
            return current
        return None

    def _replace_programme(self, number: int, **changes: object) -> None:
        self.programmes = replaced_at(self.programmes, number - 1, replace(self.programmes[number - 1], **changes))

    def _close_programme(self, *, closed_on: date, superseded: bool = False) -> None:
        """The programme in force ends: closed by a decision, or replaced by a new one."""
        self._replace_programme(self.programme_in_force().number, closed_on=closed_on, superseded=superseded)

    # R8 ----------------------------------------------------------------------------
    def record_participation(
        self, *, party: str, offered_on: date, took_part: bool, views: str, recorded_by: str, today: date
    ) -> None:
        """An offer made in the case: not before it was opened, at most a year ahead (cases.domain.dates)."""
        self._require_open()
        if not is_party(party):
            raise ProgrammeNeedsPupilAndGuardiansOfferedParticipation(
                "Ange om det gäller eleven, en vårdnadshavare eller vårdnadshavarna.")
        dates.participation(offered_on, opened_on=self.opened_on, today=today)
        self._participation_recorded(
            party=party, offered_on=offered_on, took_part=took_part, views=views.strip()[:8000], recorded_by=recorded_by
        )

    @event("ParticipationRecorded")
    def _participation_recorded(self, party: str, offered_on: date, took_part: bool, views: str, recorded_by: str) -> None:
        self.participation = (*self.participation, Participation(party, offered_on, took_part, views, recorded_by))
        self._remember_entry("participation", len(self.participation) - 1)

    # R7, R18 -----------------------------------------------------------------------
    def decision_awaiting_programme(self) -> Decision | None:
        """The last decision, when it establishes a programme (or continues one with new
        measures) and none has been issued under it yet."""
        decision = self.decisions[-1] if self.decisions else None
        if decision is None or decision.kind not in ESTABLISHING_KINDS or decision.programme_number is not None:
            return None
        return decision

    def issue_programme(
        self,
        *,
        needs: str,
        measures: list[dict],
        follow_up_dates: list[date],
        follow_up_responsible: str,
        evaluation_on: date | None,
        evaluation_responsible: str,
        issued_by: str,
        on: date,
    ) -> None:
        self._require_open()
        decision = self.decision_awaiting_programme()
        if decision is None:
            raise ProgrammeNeedsADecisionToEstablishIt()
        if decision.school_unit != self.school_unit:
            raise ProgrammeIsValidOnlyAtTheSchoolUnitThatMadeIt()
        offered = {p.party for p in self.participation}
        if "pupil" not in offered or not any(is_guardian(party) for party in offered):
            raise ProgrammeNeedsPupilAndGuardiansOfferedParticipation()
        measures = [{k: (m.get(k) or "").strip() for k in ("description", "extent", "responsible")} for m in measures]
        problems = programme_problems(
            needs, measures, follow_up_dates, follow_up_responsible, evaluation_on, evaluation_responsible, on
        )
        if problems:
            raise ActionProgrammeMustStateNeedsMeasuresAndFollowUp(problems)
        dates.programme_dates(follow_up_dates, evaluation_on, today=on)
        sensitive = sensitive_facts(needs, measures)
        if sensitive:
            raise ActionProgrammeHoldsNoDiagnoses(sensitive)
        self._programme_issued(
            number=len(self.programmes) + 1,
            decision_number=decision.number,
            needs=needs.strip(),
            measures=measures,
            follow_up_dates=sorted(follow_up_dates),
            follow_up_responsible=follow_up_responsible.strip(),
            evaluation_on=evaluation_on,
            evaluation_responsible=evaluation_responsible.strip(),
            issued_by=issued_by,
            issued_on=on,
        )

    @event("ProgrammeIssued")
    def _programme_issued(
        self, number: int, decision_number: int, needs: str, measures: list, follow_up_dates: list, follow_up_responsible: str,
        evaluation_on: date, evaluation_responsible: str, issued_by: str, issued_on: date,
    ) -> None:
        if self.programme_in_force() is not None:  # continued with new measures: the new programme replaces it
            self._close_programme(closed_on=issued_on, superseded=True)
        decision = self.decisions[decision_number - 1]
        self.decisions = replaced_at(self.decisions, decision_number - 1, replace(decision, programme_number=number))
        self.programmes = (*self.programmes, Programme(
            number=number,
            decision_number=decision_number,
            school_unit=self.school_unit,
            needs=needs,
            measures=tuple(Measure(**m) for m in measures),
            follow_up_dates=tuple(follow_up_dates),
            follow_up_responsible=follow_up_responsible,
            evaluation_on=evaluation_on,
            evaluation_responsible=evaluation_responsible,
            issued_by=issued_by,
            issued_on=issued_on,
        ))

    # R10 ---------------------------------------------------------------------------
    def record_follow_up(self, *, findings: str, followed_up_by: str, on: date) -> None:
        programme = self._programme_to_follow()
        if not findings.strip():
            raise FollowUpNeedsWhatWasFound()
        self._followed_up(programme_number=programme.number, findings=findings.strip()[:8000],
                          followed_up_by=followed_up_by, followed_up_on=on)

    @event("FollowUpRecorded")
    def _followed_up(self, programme_number: int, findings: str, followed_up_by: str, followed_up_on: date) -> None:
        follow_ups = (*self.programmes[programme_number - 1].follow_ups, FollowUp(findings, followed_up_by, followed_up_on))
        self._replace_programme(programme_number, follow_ups=follow_ups)
        self._remember_entry("follow_up", (programme_number, len(follow_ups) - 1))

    def record_evaluation(self, *, outcome: str, evaluated_by: str, on: date) -> None:
        programme = self._programme_to_follow()
        if not outcome.strip():
            raise FollowUpNeedsWhatWasFound("Skriv kort vad utvärderingen visade: har åtgärderna gett resultat?")
        self._evaluated(programme_number=programme.number, outcome=outcome.strip()[:8000],
                        evaluated_by=evaluated_by, evaluated_on=on)

    @event("ProgrammeEvaluated")
    def _evaluated(self, programme_number: int, outcome: str, evaluated_by: str, evaluated_on: date) -> None:
        self._replace_programme(programme_number, evaluation=Evaluation(outcome, evaluated_by, evaluated_on))
        self._remember_entry("evaluation", programme_number)

    def _programme_to_follow(self) -> Programme:
        self._require_open()
        current = self.programmes[-1] if self.programmes else None
        if current is not None and current.closed_on is None and current.school_unit != self.school_unit:
            raise ProgrammeIsValidOnlyAtTheSchoolUnitThatMadeIt()
        programme = self.programme_in_force()
        if programme is None:
            raise FollowUpNeedsAProgrammeInForce()
        return programme
