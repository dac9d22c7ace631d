"""The deviation (avvikelse) as an event-sourced aggregate: report (R19) → local handling by
the responsible manager (R20, R21) → solved locally, or sent to the BUS secretariat
de-identified (R22). Rules are checked before any event, so a refused command stores nothing.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, Mapping

from eventsourcing.domain import Aggregate, event

from deviations.domain import deidentify
from deviations.domain.configuration import UnitConfiguration
from deviations.domain.rules import (
    ActionNeedsADescription,
    AnswerIsRecordedOnce,
    AnswerNeedsAText,
    DeviationAroseInOneOfTheInvolvedOrganisations,
    DeviationDateIsNotInTheFuture,
    DeviationHasACategoryFromTheAgreedList,
    DeviationHasOneOutcome,
    DeviationInvolvesBothSidesOfTheCollaboration,
    DeviationInvolvesTwoOrMoreOrganisations,
    DeviationIsHandledLocallyBeforeItIsSent,
    DeviationNeedsADescription,
    DeviationWasTriedLocallyOrIsOfAPrincipledNature,
    EveryFindingIsRedactedOrConfirmed,
    RegionReportNamesTheMunicipalityConcerned,
    ReportWithAPersonalIdentityNumberCannotBeSent,
    SolvedLocallyNeedsASummary,
)
from deviations.domain.values import Category, InvolvedOrganisation, Side, is_region_code

TEXT_MAX = 4000
ACTION_MAX = 2000
REDACT, CONFIRM = "redact", "confirm"
SOLVED_LOCALLY, SENT_TO_BUS = "solved_locally", "sent_to_bus"


def _text(value: str, maximum: int, rule: type) -> str:
    cleaned = (value or "").strip()
    if not cleaned or len(cleaned) > maximum:
        raise rule()
    return cleaned


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
        if occurred_on > today:
            raise DeviationDateIsNotInTheFuture()
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
        return cls(
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
        )

    @event("Reported")
    def __init__(
        self, organisation: str, unit: str, reported_by: str, reporter_side: str, municipality: str,
        organisations: list[dict], category: str, occurred_on: date, description: str, tried_locally: str,
        principled: bool, arose_in: dict, reported_on: date, answer_due: date,
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
        self.actions: list[dict] = []
        self.answer: dict | None = None
        self.outcome: str | None = None
        self.outcome_on: date | None = None
        self.summary = ""
        self.sent: dict | None = None

    # R21: local handling --------------------------------------------------------------------
    def record_action(self, configuration: UnitConfiguration, manager: str, action: str, on: date) -> None:
        configuration.authorise_manager(manager)
        self._require_no_outcome()
        self._action_recorded(action=_text(action, ACTION_MAX, ActionNeedsADescription), recorded_by=manager, on=on)

    @event("ActionRecorded")
    def _action_recorded(self, action: str, recorded_by: str, on: date) -> None:
        self.actions.append({"action": action, "recorded_by": recorded_by, "on": on})

    def record_answer(self, configuration: UnitConfiguration, manager: str, answer: str, on: date) -> None:
        """The answer of the organisation where the deviation arose (due by `answer_due`)."""
        configuration.authorise_manager(manager)
        if self.answer is not None:
            raise AnswerIsRecordedOnce()
        self._answer_recorded(answer=_text(answer, TEXT_MAX, AnswerNeedsAText), recorded_by=manager, on=on)

    @event("AnswerRecorded")
    def _answer_recorded(self, answer: str, recorded_by: str, on: date) -> None:
        self.answer = {"answer": answer, "recorded_by": recorded_by, "on": on}

    def answer_overdue(self, today: date) -> bool:
        return self.answer is None and today > self.answer_due

    def solve_locally(self, configuration: UnitConfiguration, manager: str, summary: str, on: date) -> None:
        configuration.authorise_manager(manager)
        self._require_no_outcome()
        self._solved_locally(summary=_text(summary, ACTION_MAX, SolvedLocallyNeedsASummary), solved_by=manager, on=on)

    @event("SolvedLocally")
    def _solved_locally(self, summary: str, solved_by: str, on: date) -> None:
        self.outcome, self.outcome_on, self.summary = SOLVED_LOCALLY, on, summary

    # R22: sending to the BUS secretariat, de-identified -------------------------------------------
    def findings(
        self, names: Iterable[str], description: str | None = None, tried_locally: str | None = None
    ) -> list[deidentify.Finding]:
        """What must be redacted or confirmed in the texts to send (by default the reported ones)."""
        names = deidentify.name_words(names)
        return deidentify.find(
            self.description if description is None else description, names, "description"
        ) + deidentify.find(self.tried_locally if tried_locally is None else tried_locally, names, "tried_locally")

    def send_to_bus(
        self,
        configuration: UnitConfiguration,
        manager: str,
        *,
        decisions: Mapping[str, str],
        names: Iterable[str],
        on: date,
        description: str | None = None,
        tried_locally: str | None = None,
    ) -> None:
        """Send what the manager checked: every finding redacted or confirmed, and no identity
        number left in any form. The event carries only the de-identified texts."""
        configuration.authorise_manager(manager)
        self._require_no_outcome()
        if not self.actions:
            raise DeviationIsHandledLocallyBeforeItIsSent()
        texts = {
            "description": _text(self.description if description is None else description, TEXT_MAX, DeviationNeedsADescription),
            "tried_locally": (self.tried_locally if tried_locally is None else tried_locally or "").strip(),
        }
        findings = self.findings(names, texts["description"], texts["tried_locally"])
        if any(decisions.get(f.key) not in (REDACT, CONFIRM) for f in findings):
            raise EveryFindingIsRedactedOrConfirmed()
        cleaned = {
            field: deidentify.redact(text, [f for f in findings if f.field == field and decisions[f.key] == REDACT])
            for field, text in texts.items()
        }
        if any(deidentify.identity_numbers_in(text) for text in cleaned.values()):
            raise ReportWithAPersonalIdentityNumberCannotBeSent()
        self._sent_to_bus(
            facts=self._facts_for_the_county(),
            description=cleaned["description"],
            tried_locally=cleaned["tried_locally"],
            redacted=sum(1 for f in findings if decisions[f.key] == REDACT),
            confirmed=sum(1 for f in findings if decisions[f.key] == CONFIRM),
            sent_by=manager,
            on=on,
        )

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

    def _require_no_outcome(self) -> None:
        if self.outcome is not None:
            raise DeviationHasOneOutcome()
