"""A form's state between submit and re-render: what the user typed and what to correct.

The services are the single source of truth for validation; the frontend only places their
messages: a field message next to its field, anything else at the top of the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from frontend.services_client import ServiceRefused

CONFLICT = (
    "Någon annan har sparat i ärendet efter att du öppnade sidan, så inget sparades nu. "
    "Ladda om sidan och gör ändringen igen – det du skrev finns kvar nedan."
)

UNAVAILABLE = {
    "cases": "Elevärendena går inte att nå just nu. Det du skrev finns kvar – försök igen om en stund.",
    "followup": "Uppföljningen går inte att nå just nu. Vi försöker igen automatiskt.",
    "deviations": "Avvikelserna går inte att nå just nu. Det du skrev finns kvar – försök igen om en stund.",
    "documentation": "Dokumentationen går inte att nå just nu. Det du skrev finns kvar – försök igen om en stund.",
    "competence": "Uppdrag och mål går inte att nå just nu. Det du skrev finns kvar – försök igen om en stund.",
    "notifications": "Inställningarna för aviseringar går inte att nå just nu. Försök igen om en stund.",
}


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # shown at the top of the form
    rule: str | None = None  # the rule id (R1, R2 …) that refused, when one did
    done: str | None = None  # a confirmation, announced politely
    conflict: bool = False  # 409: the form offers to reload

    @classmethod
    def refused(
        cls, values: dict[str, str], refusal: ServiceRefused, rule_fields: dict[str, str] | None = None
    ) -> "FormState":
        """`rule_fields` places a broken rule's message at a field, by the rule's name."""
        state = cls(values=dict(values), rule=refusal.rule)
        elsewhere = []
        for name, message in refusal.fields.items():
            # A list field ("follow_up_dates") is shown at its first input ("follow_up_dates.0").
            name = name if name in values or f"{name}.0" not in values else f"{name}.0"
            if name in values:
                state.errors[name] = message
            else:
                elsewhere.append(message)
        target = (rule_fields or {}).get(refusal.rule_name or "") if refusal.rule else None
        if target:
            state.errors[target] = refusal.message
        else:
            state.problem = " ".join([refusal.message, *elsewhere])
        return state

    @classmethod
    def unavailable(cls, values: dict[str, str], service: str, message: str | None = None) -> "FormState":
        return cls(values=dict(values), problem=message or UNAVAILABLE.get(service, UNAVAILABLE["cases"]))

    @property
    def first_error(self) -> str | None:
        return next(iter(self.errors), None)


def at_form_fields(values: dict[str, str], refusal: ServiceRefused,
                   rename: Callable[[str], str] = lambda name: name) -> FormState:
    """A refusal in the service's field names (`hinders.0`, `organisations.0.kind`): each message
    at the form's field `rename(first part)`; a broken rule whose messages all stand at fields
    gets no separate problem above the form."""
    fields: dict[str, str] = {}
    for name, message in refusal.fields.items():
        fields.setdefault(rename(name.split(".")[0]), message)
    refusal.fields = fields
    state = FormState.refused(values, refusal)
    if refusal.rule and fields and all(name in state.errors for name in fields):
        state.problem = None  # the rule's message stands at its field
    return state
