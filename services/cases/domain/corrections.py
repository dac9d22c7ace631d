"""Corrections (rättelser, R16): nothing is edited in place. A correction is a new event that
names the earlier event (by its version in the case) and the field of it that it corrects; the
history keeps both. An entry that recorded several fields (an investigation's parts saved
together) is corrected one named field at a time."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from cases.domain import dates
from cases.domain.rules import (
    CorrectionChangesTheValue,
    CorrectionMustReferenceACorrectableEntry,
    CorrectionNamesAFieldOfTheEntry,
    CorrectionNeedsAReason,
    InvestigationIsForThoseTakingPart,
    RuleBroken,
)
from cases.domain.values import replaced_at

# What can be corrected, by the kind of entry: the field a correction replaces. An
# investigation's entry offers the parts (cases.domain.investigation.PARTS) it recorded.
CORRECTABLE = {
    "adaptation": "description",
    "investigation": "parts",
    "proposal": "proposal",
    "participation": "views",
    "follow_up": "findings",
    "evaluation": "outcome",
    "delivery": "delivered_on",
    "receipt": "received_on",  # one recipient's day of receipt of a decision (R9)
}
DATE_KINDS = ("delivery", "receipt")  # entries whose one field is a day


@dataclass(frozen=True)
class Correction:
    """A correction (event `version`) of the entry stored as event `corrects_version`."""

    version: int
    corrects_version: int
    field: str
    value: str
    reason: str
    corrected_by: str


class CorrectionSteps(Aggregate):
    """Corrections of the support case (mixed into `SupportCase`)."""


    def _remember_entry(self, kind: str, ref) -> None:
        """Called inside an event's apply: the event being applied is version + 1."""
        self.entries[self.version + 1] = [kind, ref]

    def correctable_fields(self, version: int) -> dict[str, str]:
        """The fields of entry `version` a correction may name, each with its value now (as
        corrected so far); {} when the entry cannot be corrected."""
        entry = self.entries.get(version)
        if entry is None:
            return {}
        kind, ref = entry
        if kind == "investigation":
            number, parts = ref
            investigation = self.investigations[number - 1]
            return {part: investigation.parts.get(part, "") for part in parts}
        if kind == "adaptation":
            value = self.adaptations[ref].description
        elif kind == "proposal":
            value = self.investigations[ref - 1].proposal
        elif kind == "participation":
            value = self.participation[ref].views
        elif kind == "follow_up":
            programme, index = ref
            value = self.programmes[programme - 1].follow_ups[index].findings
        elif kind == "evaluation":
            value = self.programmes[ref - 1].evaluation.outcome
        elif kind == "receipt":
            number, index = ref
            value = self.decisions[number - 1].deliveries[index].received_on.isoformat()
        else:  # delivery
            delivered = self.decisions[ref - 1].delivered_on
            value = delivered.isoformat() if delivered else ""
        return {CORRECTABLE[kind]: value}

    def correct(
        self, *, corrects_version: int, value: str, reason: str, corrected_by: str, today: date, field: str = "",
        sees_investigation: bool = True,
    ) -> None:
        """Corrects `field` of entry `corrects_version` (an entry with one field may leave it
        out). A corrected delivery date is held to the delivery's plausible dates (R9). An entry of
        the investigation (a part or its proposal) is corrected only by one who may see it (R14)."""
        self._require_open()
        entry = self.entries.get(corrects_version)
        if entry is None:
            raise CorrectionMustReferenceACorrectableEntry()
        if entry[0] in ("investigation", "proposal") and not sees_investigation:
            raise InvestigationIsForThoseTakingPart()
        fields = self.correctable_fields(corrects_version)
        if not field and len(fields) == 1:
            field = next(iter(fields))
        if field not in fields:
            raise CorrectionNamesAFieldOfTheEntry()
        if not reason.strip():
            raise CorrectionNeedsAReason()
        kind, ref = entry
        value = value.strip()
        if not value:
            raise CorrectionMustReferenceACorrectableEntry("Skriv in den rättade uppgiften.")
        if kind == "investigation":
            ref = (ref[0], field)
        if kind in DATE_KINDS:
            try:
                delivered = date.fromisoformat(value)
            except ValueError:
                raise CorrectionMustReferenceACorrectableEntry("Skriv det rättade datumet som ÅÅÅÅ-MM-DD.") from None
            decision = self.decisions[(ref[0] if kind == "receipt" else ref) - 1]
            try:
                dates.delivery(delivered, decided_on=decision.decided_on, today=today)
            except RuleBroken as broken:
                raise broken.at("value") from None
            value = delivered.isoformat()
        if value == fields[field]:
            raise CorrectionChangesTheValue()
        self._corrected(
            corrects_version=corrects_version, kind=kind, ref=ref, field=field, value=value,
            reason=reason.strip(), corrected_by=corrected_by,
        )

    @event("Corrected")
    def _corrected(
        self, corrects_version: int, kind: str, ref: Any, field: str, value: str, reason: str, corrected_by: str
    ) -> None:
        if kind == "adaptation":
            self.adaptations = replaced_at(self.adaptations, ref, replace(self.adaptations[ref], description=value))
        elif kind == "investigation":  # the part is in `ref` (older corrections named the field "text")
            number, part = ref
            self._replace_investigation(number, parts={**self.investigations[number - 1].parts, part: value})
        elif kind == "proposal":
            self._replace_investigation(ref, proposal=value)
        elif kind == "participation":
            self.participation = replaced_at(self.participation, ref, replace(self.participation[ref], views=value))
        elif kind == "follow_up":
            programme, index = ref
            follow_ups = self.programmes[programme - 1].follow_ups
            corrected = replace(follow_ups[index], findings=value)
            self._replace_programme(programme, follow_ups=replaced_at(follow_ups, index, corrected))
        elif kind == "evaluation":
            self._replace_programme(ref, evaluation=replace(self.programmes[ref - 1].evaluation, outcome=value))
        elif kind == "delivery":
            self._decision_delivered(ref, date.fromisoformat(value))
        elif kind == "receipt":
            self._receipt_corrected(ref[0], ref[1], date.fromisoformat(value))
        self.corrections = (*self.corrections, Correction(
            self.version + 1, corrects_version, field, value, reason, corrected_by,
        ))
