"""The intervention (specialpedagogisk insats) as an event-sourced aggregate.

The special educator documents each intervention systematically and continuously (seed §8):
its level and target, its kind, when and how long, and what hinders and what supports in the
learning environment (seed §6). Corrections and withdrawals are new events that name the
version they correct (R16); the recorded facts are never changed in place.
"""
from __future__ import annotations

from uuid import UUID
from datetime import date
from typing import Any, Callable, Iterable

from eventsourcing.domain import Aggregate, event
from eventkit.aggregates import created

from documentation.domain import dates
from documentation.domain.rules import (
    AttachedInterventionStaysAnAssessmentOrMapping,
    CaseBelongsToTheInterventionsSchoolUnit,
    CorrectionMustChangeSomething,
    CorrectionNeedsAReason,
    IndividualInterventionBelongsToAPupilsCase,
    InvalidIntervention,
    InvestigationMustBeOpenToAttach,
    OnlyAssessmentsAndMappingsAreAttachedToTheInvestigation,
    OrganisationAndGroupNotesNameNoPupil,
    RuleBroken,
    WithdrawnInterventionStaysWithdrawn,
)
from documentation.domain.values import ATTACHABLE, CaseReference, Factor, Kind, Level, term_of
from deidentify import identity_numbers_in

MAX_MINUTES = 24 * 60
TEXT_MAX = 2000
NOTE_MAX = 1000
GROUP_MAX = 100
REASON_MAX = 1000
# What a correction may change; level and target stay (withdraw and record anew instead).
CORRECTABLE = ("kind", "performed_on", "minutes", "hinders", "supports", "hinders_note", "supports_note",
               "description", "group")
# The free texts, which may describe the pupil: a correction keeps them apart from the
# structure (kind, date, minutes, vocabulary), so that only they are encrypted under the
# pupil's key (R17, documentation.personal_data) and the counts outlive a disposal.
TEXTS = ("hinders_note", "supports_note", "description")


def _choice(value: Any, kind: type, field: str, problems: dict[str, str], message: str) -> Any:
    try:
        return kind(value).value
    except ValueError:
        problems[field] = message
        return None


def _factors(values: Iterable[str], field: str, problems: dict[str, str]) -> list[str]:
    chosen = []
    for value in values or ():
        try:
            factor = Factor(value).value
        except ValueError:
            problems[field] = "Välj bland de angivna hindren och stöden."
            continue
        if factor not in chosen:
            chosen.append(factor)
    return chosen


def _text(value: str | None, maximum: int, field: str, problems: dict[str, str]) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > maximum:
        problems[field] = f"Texten är för lång (högst {maximum} tecken)."
    return cleaned


# Which of the given texts (by field) name one of the municipality's people: the register's
# matches, asked where the register is (the cases service, R22's name check, ADR 0022).
NamesInTexts = Callable[[dict[str, str]], set[str]]


def checked_content(
    *, level: str, kind: str, performed_on: date | None, minutes: int | None, hinders: Iterable[str],
    supports: Iterable[str], hinders_note: str = "", supports_note: str = "", description: str = "",
    group: str = "", today: date, names_in: NamesInTexts, case_opened_on: date | None = None,
    believed_on: date | None = None,
) -> dict[str, Any]:
    """The intervention's content, cleaned, or every problem with it at once (per form field).
    Above pupil level no text may point out a pupil (R14, R17): such a text is not encrypted
    under any pupil's key, so it would outlive the pupil's disposal. The day is a plausible one
    (documentation.domain.dates), unless it is `believed_on`, the day already recorded; an
    implausible day alone is refused by its rule, beside other problems at its field."""
    problems: dict[str, str] = {}
    implausible: RuleBroken | None = None
    level = _choice(level, Level, "level", problems, "Välj nivå: organisation, grupp eller individ.")
    kind = _choice(kind, Kind, "kind", problems, "Välj vilket slags insats det var.")
    if not isinstance(performed_on, date):
        problems["performed_on"] = "Ange datum för insatsen (ÅÅÅÅ-MM-DD)."
    elif performed_on != believed_on:
        try:
            dates.performed_on(performed_on, today=today, case_opened_on=case_opened_on)
        except RuleBroken as broken:
            implausible = broken
            problems["performed_on"] = broken.message
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        problems["minutes"] = f"Ange tiden i hela minuter, mellan 1 och {MAX_MINUTES}."
    content = {
        "level": level, "kind": kind, "performed_on": performed_on, "minutes": minutes,
        "hinders": _factors(hinders, "hinders", problems), "supports": _factors(supports, "supports", problems),
        "hinders_note": _text(hinders_note, NOTE_MAX, "hinders_note", problems),
        "supports_note": _text(supports_note, NOTE_MAX, "supports_note", problems),
        "description": _text(description, TEXT_MAX, "description", problems),
        "group": _text(group, GROUP_MAX, "group", problems),
    }
    if not content["hinders"] and not content["supports"] and "hinders" not in problems:
        # Seed §8: the documentation is the basis for analysing what hinders and what supports.
        problems["hinders"] = "Ange minst ett hinder eller ett stöd i lärmiljön."
    if level == Level.GROUP.value and not content["group"] and "group" not in problems:
        problems["group"] = "Ange vilken grupp insatsen gällde, till exempel klass 7B."
    if level != Level.GROUP.value:
        content["group"] = ""
    if implausible is not None and set(problems) == {"performed_on"}:
        raise implausible
    if problems:
        raise InvalidIntervention(problems)
    if level != Level.INDIVIDUAL.value:
        texts = {name: content[name] for name in ("description", "hinders_note", "supports_note", "group") if content[name]}
        pointing = {name for name, text in texts.items() if identity_numbers_in(text)}
        pointing |= names_in({name: text for name, text in texts.items() if name not in pointing})
        if pointing:
            broken = OrganisationAndGroupNotesNameNoPupil()
            broken.fields = {name: broken.message for name in sorted(pointing)}
            raise broken
    return content


class Intervention(Aggregate):
    """Specialpedagogisk insats på organisations-, grupp- eller individnivå."""

    @classmethod
    def record(
        cls, *, municipality: str, school_unit: str, special_educator: str, case: CaseReference | None = None,
        attach_to_investigation: bool = False, today: date, names_in: NamesInTexts, id: UUID | None = None,  # noqa: A002
        **content: Any,
    ) -> "Intervention":
        content = checked_content(today=today, names_in=names_in, case_opened_on=case.opened_on if case else None,
                                  **content)
        individual = content["level"] == Level.INDIVIDUAL.value
        if individual and case is None:
            raise IndividualInterventionBelongsToAPupilsCase()
        if not individual and case is not None:
            raise InvalidIntervention({"case_id": "Bara insatser på individnivå kopplas till ett elevärende."})
        if case is not None and (case.school_unit != school_unit or case.municipality != municipality):
            raise CaseBelongsToTheInterventionsSchoolUnit()
        investigation = None
        if attach_to_investigation:
            if Kind(content["kind"]) not in ATTACHABLE:
                raise OnlyAssessmentsAndMappingsAreAttachedToTheInvestigation()
            if case is None or case.open_investigation is None:
                raise InvestigationMustBeOpenToAttach()
            investigation = case.open_investigation
        return created(
            cls, cls.Recorded, id, municipality=municipality, school_unit=school_unit, special_educator=special_educator,
            case_id=str(case.case_id) if case else None, investigation=investigation,
            pupil_ref=case.pupil_ref if case else None, **content,
        )

    @event("Recorded")
    def __init__(
        self, municipality: str, school_unit: str, special_educator: str, case_id: str | None,
        investigation: int | None, level: str, kind: str, performed_on: date, minutes: int, hinders: list[str],
        supports: list[str], hinders_note: str, supports_note: str, description: str, group: str,
        pupil_ref: str | None = None,
    ) -> None:
        self.municipality = municipality
        self.school_unit = school_unit
        self.special_educator = special_educator
        self.case_id = case_id  # stays inside the service: never on a public topic
        self.investigation = investigation
        self.level = level
        self.kind = kind
        self.performed_on = performed_on
        self.minutes = minutes
        self.hinders = list(hinders)
        self.supports = list(supports)
        self.hinders_note = hinders_note
        self.supports_note = supports_note
        self.description = description
        self.group = group
        # The cases service's pseudonymous pupil reference (stays inside the service, like case_id).
        self.pupil_ref = pupil_ref
        self.corrections: list[dict[str, Any]] = []
        self.withdrawn: dict[str, Any] | None = None

    @property
    def individual(self) -> bool:
        return self.level == Level.INDIVIDUAL.value

    @property
    def subject(self) -> str:
        """Whose documentation this is, for the pupil's key (R17): the pupil reference, or the
        case id of a case the cases service gave no reference for; "" above pupil level."""
        if not self.individual:
            return ""
        return self.pupil_ref or self.case_id or ""

    @property
    def term(self) -> str:
        return term_of(self.performed_on)

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CORRECTABLE}

    # R16 ----------------------------------------------------------------------------------------
    def correct(self, *, reason: str, corrected_by: str, today: date, names_in: NamesInTexts, **content: Any) -> None:
        """A new event with the corrected content; the recorded version stays in the history."""
        if self.withdrawn is not None:
            raise WithdrawnInterventionStaysWithdrawn()
        checked = checked_content(level=self.level, today=today, names_in=names_in, believed_on=self.performed_on,
                                  **content)
        checked.pop("level")
        reason = (reason or "").strip()
        if not reason or len(reason) > REASON_MAX:
            raise CorrectionNeedsAReason()
        if self.investigation is not None and Kind(checked["kind"]) not in ATTACHABLE:
            raise AttachedInterventionStaysAnAssessmentOrMapping()
        changes = {name: value for name, value in checked.items() if value != getattr(self, name)}
        if not changes:
            raise CorrectionMustChangeSomething()
        texts = {name: changes.pop(name) for name in TEXTS if name in changes}
        self._corrected(corrects_version=self.version, changes=changes, reason=reason, corrected_by=corrected_by,
                        text_changes=texts)

    @event("Corrected")
    def _corrected(self, corrects_version: int, changes: dict[str, Any], reason: str, corrected_by: str,
                   text_changes: dict[str, Any] | None = None) -> None:
        changes = {**changes, **(text_changes or {})}
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, list(value) if isinstance(value, list) else value)
        self.corrections.append({
            "corrects_version": corrects_version, "reason": reason, "corrected_by": corrected_by,
            "before": before, "after": dict(changes),
        })

    def withdraw(self, *, reason: str, withdrawn_by: str, today: date) -> None:
        """Makulering: the intervention was recorded by mistake; it stays in the history."""
        if self.withdrawn is not None:
            raise WithdrawnInterventionStaysWithdrawn()
        reason = (reason or "").strip()
        if not reason or len(reason) > REASON_MAX:
            raise CorrectionNeedsAReason()
        self._withdrawn(corrects_version=self.version, reason=reason, withdrawn_by=withdrawn_by, on=today)

    @event("Withdrawn")
    def _withdrawn(self, corrects_version: int, reason: str, withdrawn_by: str, on: date) -> None:
        self.withdrawn = {"corrects_version": corrects_version, "reason": reason, "withdrawn_by": withdrawn_by, "on": on}
