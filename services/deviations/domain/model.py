"""The deviation (avvikelse) as an event-sourced aggregate: report (R19) → local handling by
the responsible manager (R20, R21) → solved locally, or sent to the BUS secretariat
de-identified (R22). Rules are checked before any event, so a refused command stores nothing.
"""
from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID
from typing import Callable, Iterable, Mapping

from eventsourcing.domain import Aggregate, event
from eventkit.aggregates import created

import deidentify
from deidentify import Finding, Kind
from deviations.domain import dates
from deviations.domain.configuration import UnitConfiguration
from deviations.domain.rules import (
    ActionNeedsADescription,
    AnswerIsRecordedOnce,
    AnswerNeedsAText,
    DeviationAroseInOneOfTheInvolvedOrganisations,
    DeviationHasACategoryFromTheAgreedList,
    DeviationHasOneOutcome,
    DeviationInvolvesBothSidesOfTheCollaboration,
    DeviationInvolvesTwoOrMoreOrganisations,
    DeviationIsHandledLocallyBeforeItIsSent,
    DeviationNeedsADescription,
    DeviationWasTriedLocallyOrIsOfAPrincipledNature,
    EveryFindingIsRedactedOrConfirmed,
    IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted,
    OnlyASentDeviationCanBeReturned,
    RegionReportNamesTheMunicipalityConcerned,
    ReportWithAPersonalIdentityNumberCannotBeSent,
    SolvedLocallyNeedsASummary,
    TextIsCheckedBeforeItIsSent,
    TextIsSentAsChecked,
    TextNamingSomeoneWhoseNameIsWithheldIsRewrittenFirst,
    DeviationTextNamesNoPupilWithProtectedIdentity,
    DisposedTextsAreNotWrittenTo,
)
from deviations.domain.values import Category, InvolvedOrganisation, Side, is_region_code

# The R22 check of one text (the text, its field): the application builds it from the
# lexicon, the register's matches and the municipality's known organisations (deidentify).
Checker = Callable[[str, str], list[Finding]]
# Whether a text names a pupil whose identity is protected (R14): asked of the register with no
# one's grants, by the application, for every text before it is stored.
NamesAProtectedPupil = Callable[[str], bool]

TEXT_MAX = 4000
ACTION_MAX = 2000
REDACT, CONFIRM = "redact", "confirm"
SOLVED_LOCALLY, SENT_TO_BUS = "solved_locally", "sent_to_bus"


def _text(value: str, maximum: int, rule: type) -> str:
    cleaned = (value or "").strip()
    if not cleaned or len(cleaned) > maximum:
        raise rule()
    return cleaned


def _screened(protected: NamesAProtectedPupil, **texts: str | None) -> None:
    """R14: no text that names a pupil with protected identity is stored."""
    for field, text in texts.items():
        if text and protected(text):
            raise DeviationTextNamesNoPupilWithProtectedIdentity(field)


def _finding_record(finding: Finding) -> dict:
    return {"field": finding.field, "kind": finding.kind.value, "start": finding.start, "end": finding.end,
            "text": finding.text}


class Deviation(Aggregate):
    """Avvikelse: a collaboration problem between two or more organisations (R19)."""

    @classmethod
    def report(
        cls,
        *,
        configuration: UnitConfiguration,
        reported_by: str,
        organisations: Iterable[InvolvedOrganisation],
        category: str,
        occurred_on: date,
        description: str,
        tried_locally: str,
        principled: bool,
        arose_in: InvolvedOrganisation,
        counterpart_municipality: str = "",
        today: date,
        protected: NamesAProtectedPupil,
        id: UUID | None = None,  # noqa: A002 - given for an idempotent create (eventkit.store.creation_id)
    ) -> "Deviation":
        configuration.authorise_reporter(reported_by)
        own_side = Side.REGION if is_region_code(configuration.organisation) else Side.MUNICIPALITY
        involved = list(dict.fromkeys(organisations))
        if len(involved) < 2:
            raise DeviationInvolvesTwoOrMoreOrganisations()
        if not any(o.side == own_side for o in involved):
            raise DeviationInvolvesBothSidesOfTheCollaboration()
        if arose_in not in involved:
            raise DeviationAroseInOneOfTheInvolvedOrganisations()
        try:
            category = Category(category).value
        except ValueError:
            raise DeviationHasACategoryFromTheAgreedList() from None
        dates.occurred_on(occurred_on, today=today)
        description = _text(description, TEXT_MAX, DeviationNeedsADescription)
        tried = (tried_locally or "").strip()
        if (not tried and not principled) or len(tried) > TEXT_MAX:
            raise DeviationWasTriedLocallyOrIsOfAPrincipledNature()
        if own_side == Side.REGION:
            municipality = (counterpart_municipality or "").strip()
            if not (len(municipality) == 4 and municipality.isdigit()):
                raise RegionReportNamesTheMunicipalityConcerned()
        else:
            municipality = configuration.organisation
        _screened(protected, description=description, tried_locally=tried)
        return created(
            cls, cls.Reported, id,
            organisation=configuration.organisation,
            unit=configuration.unit,
            reported_by=reported_by,
            reporter_side=own_side.value,
            municipality=municipality,
            organisations=[o.as_dict() for o in involved],
            category=category,
            occurred_on=occurred_on,
            description=description,
            tried_locally=tried,
            principled=bool(principled),
            arose_in=arose_in.as_dict(),
            reported_on=today,
            answer_due=today + timedelta(days=configuration.answer_days),
            responsible_manager=configuration.manager,
        )

    @event("Reported")
    def __init__(
        self, organisation: str, unit: str, reported_by: str, reporter_side: str, municipality: str,
        organisations: list[dict], category: str, occurred_on: date, description: str, tried_locally: str,
        principled: bool, arose_in: dict, reported_on: date, answer_due: date, responsible_manager: str = "",
    ) -> None:
        self.organisation = organisation  # who owns the report (kommunkod, or länskod for a region)
        self.unit = unit
        self.reported_by = reported_by
        self.reporter_side = reporter_side
        self.municipality = municipality  # the municipality the deviation concerns
        self.organisations = organisations
        self.category = category
        self.occurred_on = occurred_on
        self.description = description
        self.tried_locally = tried_locally
        self.principled = principled
        self.arose_in = arose_in
        self.reported_on = reported_on
        self.answer_due = answer_due
        self.responsible_manager = responsible_manager  # R21: the manager when it was reported (a staff id)
        self.actions: list[dict] = []
        self.answer: dict | None = None
        self.outcome: str | None = None
        self.outcome_on: date | None = None
        self.summary = ""
        self.sent: dict | None = None
        self.last_check: dict | None = None  # the manager's latest check of the texts to send (R22)
        self.decisions: dict | None = None
        self.returned: dict | None = None  # the last time the check before the regional stream held it back
        self.texts_disposed_on: date | None = None  # R17: disposed of with a pupil they named

    # R21: local handling --------------------------------------------------------------------
    def record_action(self, configuration: UnitConfiguration, manager: str, action: str, on: date, *,
                      protected: NamesAProtectedPupil) -> None:
        configuration.authorise_manager(manager)
        if self.texts_disposed_on is not None:
            raise DisposedTextsAreNotWrittenTo()
        self._require_no_outcome()
        action = _text(action, ACTION_MAX, ActionNeedsADescription)
        _screened(protected, action=action)
        self._action_recorded(action=action, recorded_by=manager, on=on)

    @event("ActionRecorded")
    def _action_recorded(self, action: str, recorded_by: str, on: date) -> None:
        self.actions.append({"action": action, "recorded_by": recorded_by, "on": on})

    def record_answer(self, configuration: UnitConfiguration, manager: str, answer: str, on: date, *,
                      protected: NamesAProtectedPupil) -> None:
        """The answer of the organisation where the deviation arose (due by `answer_due`)."""
        configuration.authorise_manager(manager)
        if self.texts_disposed_on is not None:
            raise DisposedTextsAreNotWrittenTo()
        if self.answer is not None:
            raise AnswerIsRecordedOnce()
        answer = _text(answer, TEXT_MAX, AnswerNeedsAText)
        _screened(protected, answer=answer)
        self._answer_recorded(answer=answer, recorded_by=manager, on=on)

    @event("AnswerRecorded")
    def _answer_recorded(self, answer: str, recorded_by: str, on: date) -> None:
        self.answer = {"answer": answer, "recorded_by": recorded_by, "on": on}

    def answer_overdue(self, today: date) -> bool:
        return self.answer is None and today > self.answer_due

    def solve_locally(self, configuration: UnitConfiguration, manager: str, summary: str, on: date, *,
                      protected: NamesAProtectedPupil) -> None:
        configuration.authorise_manager(manager)
        if self.texts_disposed_on is not None:
            raise DisposedTextsAreNotWrittenTo()
        self._require_no_outcome()
        summary = _text(summary, ACTION_MAX, SolvedLocallyNeedsASummary)
        _screened(protected, summary=summary)
        self._solved_locally(summary=summary, solved_by=manager, on=on)

    @event("SolvedLocally")
    def _solved_locally(self, summary: str, solved_by: str, on: date) -> None:
        self.outcome, self.outcome_on, self.summary = SOLVED_LOCALLY, on, summary

    # R22: sending to the BUS secretariat, de-identified -------------------------------------------
    def _texts_to_send(self, description: str | None, tried_locally: str | None) -> dict[str, str]:
        return {
            "description": _text(self.description if description is None else description, TEXT_MAX, DeviationNeedsADescription),
            "tried_locally": (self.tried_locally if tried_locally is None else tried_locally or "").strip(),
        }

    @staticmethod
    def _findings_in(texts: Mapping[str, str], checker: Checker) -> list[Finding]:
        return [finding for field, text in texts.items() for finding in checker(text, field)]

    def check(
        self, configuration: UnitConfiguration, manager: str, *, checker: Checker, on: date,
        protected: NamesAProtectedPupil, description: str | None = None, tried_locally: str | None = None,
    ) -> list[Finding]:
        """The manager's check of the texts to send (by default the reported ones): what was
        found is recorded, so the decisions and the sending refer to exactly this check."""
        configuration.authorise_manager(manager)
        if self.texts_disposed_on is not None:
            raise DisposedTextsAreNotWrittenTo()
        self._require_no_outcome()
        texts = self._texts_to_send(description, tried_locally)
        _screened(protected, description=description and texts["description"],
                  tried_locally=tried_locally and texts["tried_locally"])  # the rewritten ones
        findings = self._findings_in(texts, checker)
        if any(f.kind is Kind.WITHHELD for f in findings):
            raise TextNamingSomeoneWhoseNameIsWithheldIsRewrittenFirst()
        record = {**texts, "findings": [_finding_record(f) for f in findings]}
        if self.last_check is None or {k: self.last_check[k] for k in record} != record:
            self._checked(**record, checked_by=manager, on=on)
        return findings

    @event("Checked")
    def _checked(self, description: str, tried_locally: str, findings: list[dict], checked_by: str, on: date) -> None:
        self.last_check = {"description": description, "tried_locally": tried_locally, "findings": findings,
                           "checked_by": checked_by, "on": on}

    def send_to_bus(
        self,
        configuration: UnitConfiguration,
        manager: str,
        *,
        decisions: Mapping[str, str],
        checker: Checker,
        on: date,
        protected: NamesAProtectedPupil,
        description: str | None = None,
        tried_locally: str | None = None,
    ) -> None:
        """Send what the manager checked: the texts as checked, every finding redacted or
        confirmed (identity numbers, dates of birth and registered names only redacted), and no
        identity number or date of birth left in any form. The decisions are an event of their
        own (who, when, which span); the sent event carries only the de-identified texts."""
        configuration.authorise_manager(manager)
        if self.texts_disposed_on is not None:
            raise DisposedTextsAreNotWrittenTo()
        self._require_no_outcome()
        if not self.actions:
            raise DeviationIsHandledLocallyBeforeItIsSent()
        if self.last_check is None:
            raise TextIsCheckedBeforeItIsSent()
        texts = self._texts_to_send(description, tried_locally)
        _screened(protected, description=description and texts["description"],
                  tried_locally=tried_locally and texts["tried_locally"])
        findings = self._findings_in(texts, checker)
        if any(f.kind is Kind.WITHHELD for f in findings):
            raise TextNamingSomeoneWhoseNameIsWithheldIsRewrittenFirst()
        checked = self.last_check
        if (texts["description"], texts["tried_locally"]) != (checked["description"], checked["tried_locally"]) or [
            _finding_record(f) for f in findings
        ] != checked["findings"]:
            raise TextIsSentAsChecked()
        if any(decisions.get(f.key) not in (REDACT, CONFIRM) for f in findings):
            raise EveryFindingIsRedactedOrConfirmed()
        if any(f.kind.redact_only and decisions[f.key] == CONFIRM for f in findings):
            raise IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted()
        cleaned = {
            field: deidentify.redact(text, [f for f in findings if f.field == field and decisions[f.key] == REDACT])
            for field, text in texts.items()
        }
        if any(deidentify.never_sent_in(text) for text in cleaned.values()):
            raise ReportWithAPersonalIdentityNumberCannotBeSent()
        self._findings_decided(
            decisions=[{**_finding_record(f), "decision": decisions[f.key]} for f in findings], decided_by=manager, on=on,
        )
        self._sent_to_bus(
            facts=self._facts_for_the_county(),
            description=cleaned["description"],
            tried_locally=cleaned["tried_locally"],
            redacted=sum(1 for f in findings if decisions[f.key] == REDACT),
            confirmed=sum(1 for f in findings if decisions[f.key] == CONFIRM),
            sent_by=manager,
            on=on,
        )

    @event("FindingsDecided")
    def _findings_decided(self, decisions: list[dict], decided_by: str, on: date) -> None:
        self.decisions = {"decisions": decisions, "decided_by": decided_by, "on": on}

    def _facts_for_the_county(self) -> dict:
        """What the BUS secretariat counts by: no person, no unit, no free text."""
        return {
            "municipality": self.municipality,
            "reported_by": self.reporter_side,
            "organisations": self.organisations,
            "arose_in": self.arose_in,
            "category": self.category,
            "occurred_on": self.occurred_on.isoformat(),
            "principled": self.principled,
        }

    @event("SentToBus")
    def _sent_to_bus(self, facts: dict, description: str, tried_locally: str, redacted: int, confirmed: int, sent_by: str, on: date) -> None:
        self.outcome, self.outcome_on = SENT_TO_BUS, on
        self.sent = {"description": description, "tried_locally": tried_locally, "redacted": redacted, "confirmed": confirmed}

    # R22: held back by the check before the regional stream, and returned to the manager -------
    def return_from_regional_check(self, reasons: list[str], on: date) -> None:
        """The county's check before bus.deviations.v1 held the sent texts back (`reasons`: what
        they still hold, as kinds): the deviation is the manager's again, to check and send anew."""
        if self.outcome != SENT_TO_BUS:
            raise OnlyASentDeviationCanBeReturned()
        self._returned_by_the_regional_check(reasons=[str(r) for r in reasons], on=on)

    @event("ReturnedByTheRegionalCheck")
    def _returned_by_the_regional_check(self, reasons: list[str], on: date) -> None:
        self.outcome, self.outcome_on, self.sent, self.last_check = None, None, None, None
        self.returned = {"reasons": list(reasons), "on": on}

    # R17: the texts follow the disposal of the pupils they name ---------------------------------
    def dispose_texts(self, on: date) -> bool:
        """The records of a pupil the texts name were disposed of: the deviation's own key is
        destroyed after this event, so every text (report, actions, answer, checks) is unreadable
        while the structure (organisations, category, dates, outcome) stays for the statistics.
        False when already done."""
        if self.texts_disposed_on is not None:
            return False
        self._texts_disposed(on=on)
        return True

    @event("TextsDisposed")
    def _texts_disposed(self, on: date) -> None:
        self.texts_disposed_on = on

    def _require_no_outcome(self) -> None:
        if self.outcome is not None:
            raise DeviationHasOneOutcome()
